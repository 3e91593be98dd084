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
                     ptrdiff_t n, int exact);
void bo_log_cosh_f64(const double *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n, int exact);
void bo_pseudo_huber_f32(const float *z, const double *y, const double *w, float *g, float *h,
                         ptrdiff_t n, double delta, int exact);
void bo_pseudo_huber_f64(const double *z, const double *y, const double *w, float *g, float *h,
                         ptrdiff_t n, double delta, int exact);
#endif
