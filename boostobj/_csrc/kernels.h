/* Compiled kernels behind boostobj/_kernels.py (see kernels.c). */
#ifndef BOOSTOBJ_KERNELS_H
#define BOOSTOBJ_KERNELS_H
#include <stddef.h>

void bo_log_loss_f32(const float *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n);
void bo_log_loss_f64(const double *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n);
void bo_focal_f32(const float *z, const double *y, const double *w, float *g, float *h,
                  ptrdiff_t n, double gamma, double a_pos, double a_neg, int bounded);
void bo_focal_f64(const double *z, const double *y, const double *w, float *g, float *h,
                  ptrdiff_t n, double gamma, double a_pos, double a_neg, int bounded);
void bo_log_cosh_f32(const float *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n, double scale, int exact);
void bo_log_cosh_f64(const double *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n, double scale, int exact);
void bo_pseudo_huber_f32(const float *z, const double *y, const double *w, float *g, float *h,
                         ptrdiff_t n, double delta, int exact);
void bo_pseudo_huber_f64(const double *z, const double *y, const double *w, float *g, float *h,
                         ptrdiff_t n, double delta, int exact);
/* Multiclass: z is (n, k), C-ordered (f_order = 0) or Fortran-ordered (f_order = 1), and g, h are
 * float32 (n, k) in the same order; alpha is NULL or k class weights. Return 0, or -1 when the
 * scratch memory could not be allocated (nothing written then). */
int bo_softmax_f32(const float *z, const double *y, const double *w, float *g, float *h,
                   ptrdiff_t n, ptrdiff_t k, int f_order, double scale);
int bo_softmax_f64(const double *z, const double *y, const double *w, float *g, float *h,
                   ptrdiff_t n, ptrdiff_t k, int f_order, double scale);
int bo_multiclass_focal_f32(const float *z, const double *y, const double *w, float *g, float *h,
                            ptrdiff_t n, ptrdiff_t k, int f_order, double scale, double gamma,
                            const double *alpha, int bounded);
int bo_multiclass_focal_f64(const double *z, const double *y, const double *w, float *g,
                            float *h, ptrdiff_t n, ptrdiff_t k, int f_order, double scale,
                            double gamma, const double *alpha, int bounded);
#endif
