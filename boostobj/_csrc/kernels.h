/* Compiled kernels behind boostobj/_kernels.py (see kernels.c), and the list of them that
 * kernels.c and module.c generate their code from. */
#ifndef BOOSTOBJ_KERNELS_H
#define BOOSTOBJ_KERNELS_H
#include <stddef.h>

/* The one-dimensional kernels, one line each. Each takes
 *   (z, y, w, g, h, n, param, param2, exact)
 * float32 or float64 margins z, float64 labels y, float64 weights w or NULL, float32 outputs g
 * and h; its formula is the macro BODY_<name> in kernels.c. From this list come the entry points'
 * declarations (below) and definitions (kernels.c), and the Python bindings with their argument
 * checks and docstrings, CatBoost's one-call table and the exported TABLE (module.c).
 *
 *   X(NAME, PARAM, RULE, PARAM2, RULE2, Y, HESSIAN, OPS, CATBOOST)
 *
 *   PARAM, RULE    the name of `param` (the loss's keyword) and the rule the binding checks it
 *                  against (module.c); "param" and UNUSED when the kernel has none
 *   PARAM2, RULE2  the same for `param2` ("param2" and UNUSED)
 *   Y              LABELS, or LOG_LABELS: y holds the labels' logarithms (-inf for a label 0)
 *   HESSIAN        EXACT: `exact` switches to the exact hessian (one loop each); ONE: one hessian
 *   OPS            REFERENCE: compiled without fused multiply-adds, the float64 reference's
 *                  operations in its order; CONTRACT: a*b + c may be fused
 *   CATBOOST       1 when CatBoost's one-call path (catboost_ders) may run it: it reads the
 *                  labels themselves, and its float32 output cannot overflow where the float64
 *                  reference is finite; else 0 */
#define BO_KERNELS_1D(X)                                                                        \
    X(log_cosh, "scale", POSITIVE, "param2", UNUSED, LABELS, EXACT, CONTRACT, 1)                \
    X(pseudo_huber, "delta", POSITIVE, "param2", UNUSED, LABELS, EXACT, CONTRACT, 1)            \
    X(poisson, "max_delta_step", NON_NEGATIVE, "param2", UNUSED, LABELS, EXACT, REFERENCE, 0)   \
    X(gamma, "param", UNUSED, "param2", UNUSED, LOG_LABELS, ONE, REFERENCE, 0)                  \
    X(tweedie, "power", POWER, "param2", UNUSED, LOG_LABELS, ONE, REFERENCE, 0)                 \
    X(quantile, "alpha", UNIT, "param2", UNUSED, LABELS, ONE, REFERENCE, 1)                     \
    X(expectile, "tau", UNIT, "param2", UNUSED, LABELS, ONE, REFERENCE, 1)                      \
    X(fair, "c", POSITIVE, "param2", UNUSED, LABELS, ONE, REFERENCE, 1)                         \
    X(cauchy, "scale", POSITIVE, "param2", UNUSED, LABELS, EXACT, REFERENCE, 1)                 \
    X(welsch, "scale", POSITIVE, "param2", UNUSED, LABELS, EXACT, REFERENCE, 1)                 \
    X(cross_entropy, "param", UNUSED, "param2", UNUSED, LABELS, ONE, REFERENCE, 1)              \
    X(smooth_quantile, "scale", POSITIVE, "alpha", UNIT, LABELS, EXACT, REFERENCE, 1)

#define BO_DECLARE_1D(NAME, ...)                                                                \
    void bo_##NAME##_f32(const float *z, const double *y, const double *w, float *g, float *h, \
                         ptrdiff_t n, double param, double param2, int exact);                  \
    void bo_##NAME##_f64(const double *z, const double *y, const double *w, float *g,          \
                         float *h, ptrdiff_t n, double param, double param2, int exact);
BO_KERNELS_1D(BO_DECLARE_1D)

/* The kernels of other signatures, declared below, with bindings written out in module.c:
 *   X(NAME, CATBOOST, DOC)
 * CATBOOST as above (module.c adapts these to CatBoost's one-call table); DOC the binding's
 * docstring. */
#define BO_KERNELS_OTHER(X)                                                                     \
    X(log_loss, 1, "log_loss(z, y, w, g, h): binary log loss into float32 g, h.")              \
    X(focal, 1,                                                                                 \
      "focal(z, y, w, g, h, gamma, a_pos, a_neg, bounded): binary focal loss into float32 g, h.") \
    X(softmax, 0,                                                                               \
      "softmax(z, y, w, g, h, scale): softmax cross-entropy on (n, k) margins, C- or F-ordered,\n" \
      "into float32 g, h of the same shape and order.")                                        \
    X(multiclass_focal, 0,                                                                      \
      "multiclass_focal(z, y, w, g, h, scale, gamma, alpha, bounded): multiclass focal loss\n"  \
      "into float32 g, h (alpha None or k float64 class weights).")

void bo_log_loss_f32(const float *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n);
void bo_log_loss_f64(const double *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n);
void bo_focal_f32(const float *z, const double *y, const double *w, float *g, float *h,
                  ptrdiff_t n, double gamma, double a_pos, double a_neg, int bounded);
void bo_focal_f64(const double *z, const double *y, const double *w, float *g, float *h,
                  ptrdiff_t n, double gamma, double a_pos, double a_neg, int bounded);
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
