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
/* The 1-D kernels with up to two parameters and one hessian switch (see KERNEL_1D in kernels.c):
 * y is the labels, or their logarithms for gamma and tweedie; `param`, `param2` and `exact` are
 * unused by the kernels without them. */
#define BO_KERNEL_1D(NAME)                                                                 \
    void bo_##NAME##_f32(const float *z, const double *y, const double *w, float *g, float *h, \
                         ptrdiff_t n, double param, double param2, int exact);             \
    void bo_##NAME##_f64(const double *z, const double *y, const double *w, float *g,     \
                         float *h, ptrdiff_t n, double param, double param2, int exact);
BO_KERNEL_1D(log_cosh)      /* param: scale; exact: sech^2 hessian */
BO_KERNEL_1D(pseudo_huber)  /* param: delta; exact: rho^-3 hessian */
BO_KERNEL_1D(poisson)       /* param: max_delta_step; exact: exp(z) hessian */
BO_KERNEL_1D(gamma)         /* y: log(labels) */
BO_KERNEL_1D(tweedie)       /* y: log(labels), -inf for 0; param: power */
BO_KERNEL_1D(quantile)      /* param: alpha */
BO_KERNEL_1D(expectile)     /* param: tau */
BO_KERNEL_1D(fair)          /* param: c */
BO_KERNEL_1D(cauchy)        /* param: scale; exact: the second derivative */
BO_KERNEL_1D(welsch)        /* param: scale; exact: the second derivative */
BO_KERNEL_1D(cross_entropy)
BO_KERNEL_1D(smooth_quantile) /* param: scale; param2: alpha; exact: sigma(u) sigma(-u) */
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
