/* Compiled gradient/hessian kernels behind boostobj/_kernels.py, each one fused pass over the
 * rows so that nothing but the inputs and the two float32 outputs touches memory.
 *
 * Log loss and focal: the same float64 formulas, in the same order of operations, as the numpy
 * kernels (their docstrings derive them). Only exp and log1p differ: glibc's vector math library
 * (libmvec, at most 4 float64 ulp) instead of numpy's, which the final rounding to float32 hides
 * but for the rare row whose value lies within a few float64 ulp of a float32 rounding boundary
 * (1 float32 ulp there).
 *
 * Log-cosh and pseudo-Huber: the float64 reference formulas (boostobj/losses/regression.py)
 * rounded once to float32, more accurate than the numpy kernels' float32 arithmetic.
 *
 * Built without -ffast-math: IEEE semantics (inf, NaN, no reassociation) are kept. Three clones
 * (AVX-512, AVX2, SSE2) are chosen at load time by the CPU; the loops are vectorised through the
 * `declare simd` declarations below, which gcc maps to libmvec's _ZGV* functions.
 */
#include <stddef.h>

#include "kernels.h"

#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
double log1p(double);

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define INLINE static inline __attribute__((always_inline))

/* boostobj.losses.HESSIAN_FLOOR and its float32 rounding (_kernels._FLOOR32) */
static const double FLOOR = 1e-16;
#define FLOOR32 ((float)1e-16)
/* _kernels._NU_CLIP */
static const double NU_CLIP = 700.0;

/* fmax(x, floor) with fmax's NaN rule: a NaN becomes the floor */
INLINE double floor64(double x) { return x > FLOOR ? x : FLOOR; }
INLINE float floor32(float x) { return x > FLOOR32 ? x : FLOOR32; }

/* ------------------------------------------------------------------------------ log loss */
#define LOG_LOSS_BODY(ZT)                                                              \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double t = y[i] > 0.0 ? 1.0 : -1.0;                                            \
        double e = exp(t * (double)z[i]); /* E = e**u */                               \
        double q = 1.0 / (e + 1.0);       /* sigma(-u) */                              \
        double hh = (e * q) * q;          /* p q */                                    \
        if (weighted) {                                                                \
            g[i] = (float)(q * (-t * w[i]));                                           \
            h[i] = (float)(floor64(hh) * w[i]);                                        \
        } else {                                                                       \
            g[i] = (float)(-t * q);                                                    \
            h[i] = floor32((float)hh);                                                 \
        }                                                                              \
    }

INLINE void log_loss_f32_impl(const float *restrict z, const double *restrict y,
                              const double *restrict w, float *restrict g, float *restrict h,
                              ptrdiff_t n, int weighted) {
    LOG_LOSS_BODY(float)
}

INLINE void log_loss_f64_impl(const double *restrict z, const double *restrict y,
                              const double *restrict w, float *restrict g, float *restrict h,
                              ptrdiff_t n, int weighted) {
    LOG_LOSS_BODY(double)
}

CLONES void bo_log_loss_f32(const float *z, const double *y, const double *w, float *g, float *h,
                            ptrdiff_t n) {
    if (w) log_loss_f32_impl(z, y, w, g, h, n, 1);
    else log_loss_f32_impl(z, y, w, g, h, n, 0);
}

CLONES void bo_log_loss_f64(const double *z, const double *y, const double *w, float *g, float *h,
                            ptrdiff_t n) {
    if (w) log_loss_f64_impl(z, y, w, g, h, n, 1);
    else log_loss_f64_impl(z, y, w, g, h, n, 0);
}

/* ------------------------------------------------------------------------------ focal */
/* gmode: 0 general gamma, 1 gamma = 1, 2 gamma = 2, 3 gamma = 0 (as the numpy kernel) */
#define FOCAL_BODY(ZT)                                                                 \
    const double c1 = 1.0 + 2.0 * gamma, gg = gamma * gamma;                          \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        int pos = y[i] > 0.0;                                                          \
        double t = pos ? 1.0 : -1.0;                                                   \
        double at = pos ? a_pos : a_neg; /* 1 and 1 without alpha: exact products */   \
        double v = -t * (double)z[i];    /* -u */                                      \
        v = v > NU_CLIP ? NU_CLIP : v;                                                 \
        double e = exp(v);                                                             \
        double s = log1p(e);            /* -log p */                                   \
        double p = 1.0 / (e + 1.0);                                                    \
        double q = e * p;                                                              \
        double qg = gmode == 2 ? q * q : gmode == 1 ? q : gmode == 3 ? 1.0             \
                  : exp((s - v) * -gamma);                                             \
        double ps = p * s;                                                             \
        double x = (ps * gamma + q) * qg;                                              \
        double c = t * at;                                                             \
        if (weighted) c = c * w[i];                                                    \
        g[i] = (float)(x * -c);                                                        \
        double b = (s * -gamma + c1) * q + ps * gg;                                    \
        if (bounded) b = b < q ? q : b;                                                \
        b = ((b * p) * qg) * at;                                                       \
        if (weighted) h[i] = (float)(floor64(b) * w[i]);                               \
        else h[i] = floor32((float)b);                                                 \
    }

#define FOCAL_IMPL(NAME, ZT)                                                           \
    INLINE void NAME(const ZT *restrict z, const double *restrict y,                   \
                     const double *restrict w, float *restrict g, float *restrict h,   \
                     ptrdiff_t n, double gamma, double a_pos, double a_neg,            \
                     int bounded, int gmode, int weighted) {                           \
        FOCAL_BODY(ZT)                                                                 \
    }
FOCAL_IMPL(focal_f32_impl, float)
FOCAL_IMPL(focal_f64_impl, double)

/* one specialised loop per (gamma mode, weighted); bounded is a select inside */
#define FOCAL_DISPATCH(IMPL)                                                           \
    switch ((gamma == 2.0 ? 2 : gamma == 1.0 ? 1 : gamma == 0.0 ? 3 : 0) * 2 + (w != 0)) { \
    case 0: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 0, 0); break;        \
    case 1: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 0, 1); break;        \
    case 2: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 1, 0); break;        \
    case 3: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 1, 1); break;        \
    case 4: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 2, 0); break;        \
    case 5: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 2, 1); break;        \
    case 6: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 3, 0); break;        \
    default: IMPL(z, y, w, g, h, n, gamma, a_pos, a_neg, bounded, 3, 1); break;       \
    }

CLONES void bo_focal_f32(const float *z, const double *y, const double *w, float *g, float *h,
                         ptrdiff_t n, double gamma, double a_pos, double a_neg, int bounded) {
    FOCAL_DISPATCH(focal_f32_impl)
}

CLONES void bo_focal_f64(const double *z, const double *y, const double *w, float *g, float *h,
                         ptrdiff_t n, double gamma, double a_pos, double a_neg, int bounded) {
    FOCAL_DISPATCH(focal_f64_impl)
}

/* ------------------------------------------------------------------------------ regression */
/* tanh|r| = (1 - e) / (1 + e) with e = exp(-2|r|) (libmvec's tanh and expm1 in float64 took 2.5x
 * as long as exp here): the subtraction loses at most ulp(1) / (1 - e), below 1e-15 relative
 * for |r| >= 1/16; below that the Taylor series tanh(a) = a P(a^2), P = 1 - a^2/3 + 2a^4/15 -
 * 17a^6/315 + 62a^8/2835 (Abramowitz & Stegun 4.5.64), whose next term is 0.0089 a^10 relative,
 * under 1e-14. Both are far inside float32's 6e-8. With d = 1/(1 + e): the bounded hessian
 * tanh(a)/a is (1 - e) d / a, or P itself below 1/16 (1 at r = 0); the exact one,
 * sech^2 = 4e/(1 + e)^2, is 4e d^2.
 * r = z - y in float64 (one rounding, whatever the label), as the float64 reference. */
#define TANH_SERIES 0.0625
#define LOG_COSH_BODY(ZT)                                                              \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double r = (double)z[i] - y[i];                                                \
        double a = r < 0.0 ? -r : r;                                                   \
        double e = exp(-2.0 * a);                                                      \
        double a2 = a * a;                                                             \
        double P = 1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0     \
                   + a2 * (62.0 / 2835.0))));                                          \
        int small = a < TANH_SERIES;                                                   \
        double d = 1.0 / (1.0 + e);                                                    \
        double ta = small ? a * P : (1.0 - e) * d;                                     \
        double hh = exact ? (4.0 * e) * d * d : (small ? P : ta / (small ? 1.0 : a));   \
        double gg = r < 0.0 ? -ta : ta;                                                \
        hh = floor64(hh);                                                              \
        if (weighted) { gg = gg * w[i]; hh = hh * w[i]; }                              \
        g[i] = (float)gg;                                                              \
        h[i] = (float)hh;                                                              \
    }

/* s = r / delta clipped at +-1e150 (s*s stays finite; beyond it 1/rho is below the floor and
 * s/rho is +-1 to float64 precision), rho2 = s*s + 1, g = delta (s / sqrt(rho2)),
 * h = 1/sqrt(rho2) or that / rho2 (exact: rho**-3) */
#define PSEUDO_HUBER_BODY(ZT)                                                          \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double s = ((double)z[i] - y[i]) / delta;                                      \
        s = s > 1e150 ? 1e150 : (s < -1e150 ? -1e150 : s);                             \
        double rho2 = s * s + 1.0;                                                     \
        double inv = 1.0 / __builtin_sqrt(rho2);                                       \
        double gg = delta * (s * inv);                                                 \
        double hh = floor64(exact ? inv / rho2 : inv);                                 \
        if (weighted) { gg = gg * w[i]; hh = hh * w[i]; }                              \
        g[i] = (float)gg;                                                              \
        h[i] = (float)hh;                                                              \
    }

#define REGRESSION_IMPL(NAME, BODY, ZT, EXTRA)                                         \
    INLINE void NAME(const ZT *restrict z, const double *restrict y,                   \
                     const double *restrict w, float *restrict g, float *restrict h,   \
                     ptrdiff_t n, EXTRA, int exact, int weighted) {                    \
        BODY(ZT)                                                                       \
    }
REGRESSION_IMPL(log_cosh_f32_impl, LOG_COSH_BODY, float, double unused)
REGRESSION_IMPL(log_cosh_f64_impl, LOG_COSH_BODY, double, double unused)
REGRESSION_IMPL(pseudo_huber_f32_impl, PSEUDO_HUBER_BODY, float, double delta)
REGRESSION_IMPL(pseudo_huber_f64_impl, PSEUDO_HUBER_BODY, double, double delta)

/* one specialised loop per (exact, weighted) */
#define REGRESSION_DISPATCH(IMPL, P)                                                   \
    switch (exact * 2 + (w != 0)) {                                                    \
    case 0: IMPL(z, y, w, g, h, n, P, 0, 0); break;                                   \
    case 1: IMPL(z, y, w, g, h, n, P, 0, 1); break;                                   \
    case 2: IMPL(z, y, w, g, h, n, P, 1, 0); break;                                   \
    default: IMPL(z, y, w, g, h, n, P, 1, 1); break;                                  \
    }

CLONES void bo_log_cosh_f32(const float *z, const double *y, const double *w, float *g,
                            float *h, ptrdiff_t n, int exact) {
    REGRESSION_DISPATCH(log_cosh_f32_impl, 0.0)
}

CLONES void bo_log_cosh_f64(const double *z, const double *y, const double *w, float *g,
                            float *h, ptrdiff_t n, int exact) {
    REGRESSION_DISPATCH(log_cosh_f64_impl, 0.0)
}

CLONES void bo_pseudo_huber_f32(const float *z, const double *y, const double *w, float *g,
                                float *h, ptrdiff_t n, double delta, int exact) {
    REGRESSION_DISPATCH(pseudo_huber_f32_impl, delta)
}

CLONES void bo_pseudo_huber_f64(const double *z, const double *y, const double *w, float *g,
                                float *h, ptrdiff_t n, double delta, int exact) {
    REGRESSION_DISPATCH(pseudo_huber_f64_impl, delta)
}
