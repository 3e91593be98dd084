/* Compiled log-loss and focal kernels: the same float64 formulas, in the same order of
 * operations, as the numpy kernels in boostobj/_kernels.py (their docstrings derive them), fused
 * into one pass per array so that nothing but the inputs and the two float32 outputs touches
 * memory. Only exp and log1p differ: glibc's vector math library (libmvec, at most 4 float64 ulp)
 * instead of numpy's, which the final rounding to float32 hides but for the rare row whose value
 * lies within a few float64 ulp of a float32 rounding boundary (1 float32 ulp there).
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
