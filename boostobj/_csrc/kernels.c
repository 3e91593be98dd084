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
 * Softmax and multiclass focal loss: the float64 reference formulas
 * (boostobj/losses/multiclass.py) rounded once to float32, on (n, k) margins in either memory
 * order (see the multiclass section).
 *
 * Poisson, gamma, Tweedie, quantile, expectile, Fair, Cauchy, Welsch and soft-label
 * cross-entropy: the float64 reference's operations in its order, rounded once to float32, with
 * no numpy version behind them (see the 1-D kernels section).
 *
 * Built without -ffast-math: IEEE semantics (inf, NaN, no reassociation) are kept. Three clones
 * (AVX-512, AVX2, SSE2) are chosen at load time by the CPU; the loops are vectorised through the
 * `declare simd` declarations below, which gcc maps to libmvec's _ZGV* functions.
 */
#include <stddef.h>
#include <stdlib.h>

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

/* ------------------------------------------------------------------------------ 1-D kernels */
/* The kernels of kernels.h's BO_KERNELS_1D share one shape: a body BODY_<name> computing the
 * float64 gradient gg and hessian hh of row i from z[i] and y[i] (or the labels' logarithms, for
 * gamma and Tweedie), the loss's parameter P (and P2, for the one loss with two), one switch
 * `exact` (the hessian option), then
 * STORE_1D: the hessian floored at 1e-16 (NaN to the floor), both times the weight, each rounded
 * once to float32. KERNEL_1D makes the float32- and float64-margin entry points of a body, with
 * one specialised loop per (exact, weighted) or per weighted alone; the list makes every
 * kernel's (at the end of this section). */
#define STORE_1D(GG, HH)                                                               \
    {                                                                                  \
        double g_ = (GG), h_ = floor64(HH);                                            \
        if (weighted) { g_ = g_ * w[i]; h_ = h_ * w[i]; }                              \
        g[i] = (float)g_;                                                              \
        h[i] = (float)h_;                                                              \
    }

#define IMPL_1D(NAME, BODY, ZT)                                                        \
    INLINE void NAME(const ZT *restrict z, const double *restrict y,                   \
                     const double *restrict w, float *restrict g, float *restrict h,   \
                     ptrdiff_t n, double P, double P2, int exact, int weighted) {      \
        (void)P;                                                                       \
        (void)P2;                                                                      \
        (void)exact;                                                                   \
        BODY()                                                                         \
    }

/* one specialised loop per (exact, weighted) */
#define DISPATCH_EXACT(IMPL)                                                           \
    switch (exact * 2 + (w != 0)) {                                                    \
    case 0: IMPL(z, y, w, g, h, n, P, P2, 0, 0); break;                               \
    case 1: IMPL(z, y, w, g, h, n, P, P2, 0, 1); break;                               \
    case 2: IMPL(z, y, w, g, h, n, P, P2, 1, 0); break;                               \
    default: IMPL(z, y, w, g, h, n, P, P2, 1, 1); break;                              \
    }

/* one specialised loop per weighted (a loss with one hessian: `exact` is unused) */
#define DISPATCH_ONE(IMPL)                                                             \
    (void)exact;                                                                       \
    if (w) IMPL(z, y, w, g, h, n, P, P2, 0, 1);                                        \
    else IMPL(z, y, w, g, h, n, P, P2, 0, 0);

/* the entry points of kernel NAME, from BODY_NAME; HESSIAN is EXACT or ONE (kernels.h) */
#define KERNEL_1D(NAME, HESSIAN)                                                       \
    IMPL_1D(NAME##_f32_impl, BODY_##NAME, float)                                       \
    IMPL_1D(NAME##_f64_impl, BODY_##NAME, double)                                      \
    CLONES void bo_##NAME##_f32(const float *z, const double *y, const double *w,      \
                                float *g, float *h, ptrdiff_t n, double P, double P2,  \
                                int exact) {                                           \
        DISPATCH_##HESSIAN(NAME##_f32_impl)                                            \
    }                                                                                  \
    CLONES void bo_##NAME##_f64(const double *z, const double *y, const double *w,     \
                                float *g, float *h, ptrdiff_t n, double P, double P2,  \
                                int exact) {                                           \
        DISPATCH_##HESSIAN(NAME##_f64_impl)                                            \
    }

/* ---- log-cosh and pseudo-Huber (boostobj/losses/regression.py)
 * tanh|r| = (1 - e) / (1 + e) with e = exp(-2|r|) (libmvec's tanh and expm1 in float64 took 2.5x
 * as long as exp here): the subtraction loses at most ulp(1) / (1 - e), below 1e-15 relative
 * for |r| >= 1/16; below that the Taylor series tanh(a) = a P(a^2), P = 1 - a^2/3 + 2a^4/15 -
 * 17a^6/315 + 62a^8/2835 (Abramowitz & Stegun 4.5.64), whose next term is 0.0089 a^10 relative,
 * under 1e-14. Both are far inside float32's 6e-8. With d = 1/(1 + e): the bounded hessian
 * tanh(a)/a is (1 - e) d / a, or P itself below 1/16 (1 at r = 0); the exact one,
 * sech^2 = 4e/(1 + e)^2, is 4e d^2.
 * r = (z - y) / s in float64, as the float64 reference (LogCoshLoss's scale s = P; s = 1 is
 * exact), and the gradient is s tanh(r). */
#define TANH_SERIES 0.0625
/* tanh(a) = ta for a >= 0 given e = exp(-2a), with Q = tanh(a)/a below TANH_SERIES, d = 1/(1+e),
 * and whether the series was used (small) */
#define TANH_PARTS(A, E)                                                               \
    double a2 = (A) * (A);                                                             \
    double Q = 1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0         \
               + a2 * (62.0 / 2835.0))));                                              \
    int small = (A) < TANH_SERIES;                                                     \
    double d = 1.0 / (1.0 + (E));                                                      \
    double ta = small ? (A) * Q : (1.0 - (E)) * d;
#define BODY_log_cosh()                                                                \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double r = ((double)z[i] - y[i]) / P;                                          \
        double a = r < 0.0 ? -r : r;                                                   \
        double e = exp(-2.0 * a);                                                      \
        TANH_PARTS(a, e)                                                               \
        double hh = exact ? (4.0 * e) * d * d : (small ? Q : ta / (small ? 1.0 : a));   \
        STORE_1D(P * (r < 0.0 ? -ta : ta), hh)                                         \
    }

/* s = r / delta (delta = P) clipped at +-1e150 (s*s stays finite; beyond it 1/rho is below the
 * floor and s/rho is +-1 to float64 precision), rho2 = s*s + 1, g = delta (s / sqrt(rho2)),
 * h = 1/sqrt(rho2) or that / rho2 (exact: rho**-3) */
#define BODY_pseudo_huber()                                                            \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double s = ((double)z[i] - y[i]) / P;                                          \
        s = s > 1e150 ? 1e150 : (s < -1e150 ? -1e150 : s);                             \
        double rho2 = s * s + 1.0;                                                     \
        double inv = 1.0 / __builtin_sqrt(rho2);                                       \
        STORE_1D(P * (s * inv), exact ? inv / rho2 : inv)                              \
    }

/* ---- the newer losses: the float64 reference, operation for operation, rounded once
 * Counts on the log link (boostobj/losses/counts.py, PoissonLoss, GammaLoss, TweedieLoss), the
 * asymmetric and robust regression losses (robust.py) and soft-label cross-entropy (binary.py,
 * BinaryCrossEntropy): each body is its loss's _gradient_hessian with the same operations in the
 * same order (np.where as a select), so the overflow and the limits at infinite margins are the
 * reference's. Their OPS in the list is REFERENCE: compiled without contracting a*b + c into a
 * fused multiply-add (which the AVX-512 clone does otherwise, and numpy does not), so the kernels
 * without exp (quantile, expectile, Fair, Cauchy) return the reference rounded to float32 bit for
 * bit on every CPU; the others differ from it only by libmvec's exp (within 4 float64 ulp) and
 * gamma's expm1 (below, within 1e-14 relative), which the rounding hides but for a row within a
 * few float64 ulp of a float32 rounding boundary, or where the reference itself subtracts nearly
 * equal terms (mu - y at mu ~ y, sigma(z) - y at sigma(z) ~ y), where both carry an absolute
 * error of a few 1e-16 times the terms. */

/* Poisson: mu = exp(z), g = mu - y, h = mu (exact) or exp(z + max_delta_step) (P, bounded) */
#define BODY_poisson()                                                                 \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double zz = (double)z[i];                                                      \
        double mu = exp(zz);                                                           \
        STORE_1D(mu - y[i], exact ? mu : exp(zz + P))                                  \
    }

/* gamma, with y[i] = log(label) (prepared by the caller with numpy's log, as the reference):
 * u = z - log y, h = e = exp(-u), g = -expm1(-u). libmvec's expm1 is several times slower than
 * its exp here, so g is 1 - e for |u| >= 1/16 (|1 - e| > 0.06 there: e's few float64 ulp stay
 * below 1e-14 relative) and the Taylor series of expm1 below 1/16 (terms to u^10/10!, the next
 * under 1e-18 relative): both far inside float32's 6e-8. */
#define EXPM1_SERIES 0.0625
#define BODY_gamma()                                                                   \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double x = -((double)z[i] - y[i]);                                             \
        double e = exp(x);                                                             \
        double m = x * (1.0 + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 \
                   + x * (1.0 / 720 + x * (1.0 / 5040 + x * (1.0 / 40320                \
                   + x * (1.0 / 362880 + x * (1.0 / 3628800))))))))));                  \
        int small = (x < 0.0 ? -x : x) < EXPM1_SERIES;                                 \
        STORE_1D(small ? -m : 1.0 - e, e)                                              \
    }

/* Tweedie with power P, y[i] = log(label), -inf for a label 0 (the reference's `pos`):
 * a = 1 - P, b = 2 - P, eb = exp(b z), ya = y mu^a = exp(log y + a z) (0 for y = 0),
 * g = eb - ya, h = b eb - a ya */
#define BODY_tweedie()                                                                 \
    const double a = 1.0 - P, b = 2.0 - P;                                             \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double zz = (double)z[i], ly = y[i];                                           \
        double eb = exp(b * zz);                                                       \
        double ya = exp(ly + a * zz);                                                  \
        ya = ly > -__builtin_inf() ? ya : 0.0;                                         \
        STORE_1D(eb - ya, b * eb - a * ya)                                             \
    }

/* quantile at level alpha = P: g = -alpha where z < y, 1 - alpha elsewhere; h = 1 */
#define BODY_quantile()                                                                \
    const double below = -P, above = 1.0 - P;                                         \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        STORE_1D((double)z[i] < y[i] ? below : above, 1.0)                             \
    }

/* expectile at level tau = P: om = tau where y > z, 1 - tau elsewhere; g = om (z - y), h = om */
#define BODY_expectile()                                                               \
    const double other = 1.0 - P;                                                      \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double zz = (double)z[i];                                                      \
        double om = y[i] > zz ? P : other;                                             \
        STORE_1D(om * (zz - y[i]), om)                                                 \
    }

/* Fair with c = P: r = z - y, d = |r| + c, g = c r / d (c sign(r) at r = +-inf),
 * h = (c/d)^2 */
#define BODY_fair()                                                                    \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double r = (double)z[i] - y[i];                                                \
        double ar = r < 0.0 ? -r : r;                                                  \
        double d = ar + P;                                                             \
        double gg = P * r / d;                                                         \
        gg = ar == __builtin_inf() ? (r < 0.0 ? -P : P) : gg;                          \
        double cd = P / d;                                                             \
        STORE_1D(gg, cd * cd)                                                          \
    }

/* Cauchy with scale s = P: u = r / s; for |u| > 1 in t = 1/u (g = s/(u + t), h = t^2/(1 + t^2),
 * exact t^2 (t^2 - 1)/(1 + t^2)^2), else q = 1 + u^2, g = s u / q, h = 1/q, exact (1 - u^2)/q^2 */
#define BODY_cauchy()                                                                  \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double u = ((double)z[i] - y[i]) / P;                                          \
        int big = (u < 0.0 ? -u : u) > 1.0;                                            \
        double t = big ? 1.0 / u : 0.0;                                                \
        double us = big ? 0.0 : u;                                                     \
        double q = 1.0 + us * us;                                                      \
        double gg = big ? P / (u + t) : P * us / q;                                    \
        double t2 = t * t;                                                             \
        double hh = exact ? (big ? t2 * (t2 - 1.0) / ((1.0 + t2) * (1.0 + t2))         \
                                 : (1.0 - us * us) / (q * q))                          \
                          : (big ? t2 / (1.0 + t2) : 1.0 / q);                         \
        STORE_1D(gg, hh)                                                               \
    }

/* Welsch with scale s = P: u = r / s, e = exp(-u^2), g = s u e, h = e or, exact,
 * (1 - 2u^2) e (0 where e underflows to 0, so an infinite u gives 0, not NaN). u^2 is clipped at
 * 746, where exp is 0 already: libmvec's exp takes a slow scalar path for arguments beyond
 * about -708, which a tail of huge residuals would otherwise send every vector through. */
#define WELSCH_CLIP 746.0
#define BODY_welsch()                                                                  \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double u = ((double)z[i] - y[i]) / P;                                          \
        double u2 = u * u;                                                             \
        double e = exp(-(u2 < WELSCH_CLIP ? u2 : WELSCH_CLIP));                        \
        int live = e > 0.0;                                                            \
        double gg = live ? P * u * e : 0.0;                                            \
        STORE_1D(gg, exact ? (live ? (1.0 - 2.0 * u2) * e : 0.0) : e)                  \
    }

/* cross-entropy with soft labels: e = exp(-|z|), p = sigma(z) and q = sigma(-z) as quotients of
 * positive numbers (boostobj._math.signed_sigmoid), g = p - y for z < 0, (1 - y) - q otherwise,
 * h = p q */
#define BODY_cross_entropy()                                                           \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double zz = (double)z[i];                                                      \
        double e = exp(-(zz < 0.0 ? -zz : zz));                                        \
        double one_pe = 1.0 + e;                                                       \
        int pos = zz >= 0.0;                                                           \
        double p = (pos ? 1.0 : e) / one_pe;                                           \
        double q = (pos ? e : 1.0) / one_pe;                                           \
        STORE_1D(zz < 0.0 ? p - y[i] : (1.0 - y[i]) - q, p * q)                        \
    }

/* smooth quantile (SmoothQuantileLoss) with scale s = P, alpha = P2: u = (z - y) / s,
 * th = tanh(u/2) as in BODY_log_cosh (a = |u|/2, e = exp(-|u|), the Taylor series below a = 1/16),
 * g = s (th/2 + (1/2 - alpha)), h = sigma(u) sigma(-u) = e / (1 + e)^2 (exact) or th / (2u)
 * (bounded: 1/4 at u = 0, Q/4 below the series threshold, 0 at an infinite u) */
#define BODY_smooth_quantile()                                                         \
    const double shift = 0.5 - P2;                                                     \
    _Pragma("omp simd")                                                                \
    for (ptrdiff_t i = 0; i < n; i++) {                                                \
        double u = ((double)z[i] - y[i]) / P;                                          \
        double au = u < 0.0 ? -u : u;                                                  \
        double a = 0.5 * au;                                                           \
        double e = exp(-au);                                                           \
        TANH_PARTS(a, e)                                                               \
        double th = u < 0.0 ? -ta : ta;                                                \
        double hh = exact ? e * d * d : (small ? 0.25 * Q : 0.5 * (ta / (small ? 1.0 : au))); \
        STORE_1D(P * (0.5 * th + shift), hh)                                           \
    }

/* ---- the entry points of every kernel in the list: those whose OPS is CONTRACT, then those whose
 * OPS is REFERENCE, compiled without fused multiply-adds */
#define DEFINE_1D(NAME, PARAM, RULE, PARAM2, RULE2, Y, HESSIAN, OPS, CATBOOST)          \
    DEFINE_1D_##OPS(NAME, HESSIAN)
#define SKIP_1D(NAME, HESSIAN)
#define DEFINE_1D_CONTRACT KERNEL_1D
#define DEFINE_1D_REFERENCE SKIP_1D
BO_KERNELS_1D(DEFINE_1D)
#undef DEFINE_1D_CONTRACT
#undef DEFINE_1D_REFERENCE

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#define DEFINE_1D_CONTRACT SKIP_1D
#define DEFINE_1D_REFERENCE KERNEL_1D
BO_KERNELS_1D(DEFINE_1D)
#pragma GCC pop_options

/* ------------------------------------------------------------------------------ multiclass */
/* Softmax cross-entropy and multiclass focal loss on (n, k) margins, C-ordered (XGBoost) or
 * Fortran-ordered (LightGBM), with the outputs in the margins' order. The float64 reference is
 * boostobj/losses/multiclass.py (_softmax_parts, MulticlassFocalLoss._gradient_hessian); the
 * formulas below are its formulas, in its order of operations, rounded once to float32.
 *
 * Rows are taken in blocks of B and held class-major in float64 (E[c*B + r]), so that every
 * step is an elementwise loop over the B rows of one class, which vectorises (exp through
 * libmvec), and the row-wise max and sums are k - 1 elementwise passes:
 *   1. m = the row maximum, top = the first column holding it;
 *   2. d = z - m (0 where z == m, so that inf - inf is a tie with an infinite maximum),
 *      e = exp(d), rest = the sum of e over the columns other than top;
 *   3. S = 1 + rest, p = e / S, 1 - p = rest / S for top (no cancellation for a confident row:
 *      1 - p would round to 0), 1 - p otherwise (p <= 1/2 there, exact);
 *   4. gradient and diagonal hessian, floored at 1e-16, times the library's scale, then the
 *      weight, rounded to float32 and stored in the margins' order.
 * C-ordered blocks are transposed on the way in and out (in the L1 cache): gcc vectorises that
 * for 2, 3, 4, 8 and 16 classes (interleaved loads and stores), other class counts take plain
 * loops (AVX-512 gathers and scatters measured 5x slower than those on this AMD EPYC).
 *
 * Labels are only ever compared with column numbers (never used as an index), so a label
 * outside 0..k-1 cannot read or write out of bounds. Per-row selections are written as
 * arithmetic (a sum with one nonzero term, integer masks) rather than `a[r] = c ? x : a[r]`,
 * which gcc turns into a masked store behind a branch. */
#pragma omp declare simd notinbranch
double log(double);

/* Rows per block, a multiple of 16: about 1024 entries, so that the exponentials (8 KiB), the
 * per-row arrays and the float32 staging of C-ordered outputs stay in the L1 cache (4096 and
 * 8192 entries measured the same within the noise) */
static ptrdiff_t mc_block_rows(ptrdiff_t k) {
    ptrdiff_t b = (1024 / k) & ~(ptrdiff_t)15;
    return b < 16 ? 16 : (b > 512 ? 512 : b);
}

/* per-row scratch arrays of a block, each B doubles */
enum { R_M, R_REST, R_S, R_RQ, R_EY, R_DY, R_TY, R_AY, R_QY, R_F, R_PG, R_AQG, R_N };

typedef struct {
    double *E;          /* k*B exponentials, class-major */
    float *G, *H;       /* k*B float32 staging of C-ordered outputs */
    double *R[R_N];     /* per-row arrays */
    long long *top;     /* per row: the first column holding the maximum */
    void *mem;
} mc_work;

static int mc_alloc(mc_work *ws, ptrdiff_t k, ptrdiff_t B) {
    size_t kb = (size_t)k * (size_t)B;
    size_t bytes = kb * sizeof(double) + 2 * kb * sizeof(float)
                 + ((size_t)R_N + 1) * (size_t)B * sizeof(double);
    char *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!p) return -1;
    ws->mem = p;
    ws->E = (double *)p;
    p += kb * sizeof(double);
    for (int i = 0; i < R_N; i++) {
        ws->R[i] = (double *)p;
        p += (size_t)B * sizeof(double);
    }
    ws->top = (long long *)p;
    p += (size_t)B * sizeof(long long);
    ws->G = (float *)p;
    ws->H = ws->G + kb;
    return 0;
}

/* ---- moving blocks in and out */
/* Fortran order: column c of rows r0.. is z[c*n + r0 ..], contiguous */
#define MC_LOAD_F(ZT)                                                                  \
    for (ptrdiff_t c = 0; c < k; c++) {                                                \
        const ZT *restrict zc = z + c * n + r0;                                        \
        double *restrict ec = E + c * B;                                               \
        _Pragma("omp simd")                                                            \
        for (ptrdiff_t r = 0; r < m; r++) ec[r] = (double)zc[r];                       \
    }

/* C order: a transpose; with K a constant gcc unrolls the column loop and vectorises the row
 * loop with interleaved loads and stores (for K = 2, 3, 4, 8, 16) */
#define MC_LOAD_C(ZT, K)                                                               \
    {                                                                                  \
        const ZT *restrict zb = z + r0 * (K);                                          \
        for (ptrdiff_t r = 0; r < m; r++)                                              \
            for (ptrdiff_t c = 0; c < (K); c++) E[c * B + r] = (double)zb[r * (K) + c]; \
    }

#define MC_STORE_C(K)                                                                  \
    {                                                                                  \
        float *restrict gb = g + r0 * (K), *restrict hb = h + r0 * (K);                \
        for (ptrdiff_t r = 0; r < m; r++)                                              \
            for (ptrdiff_t c = 0; c < (K); c++) {                                      \
                gb[r * (K) + c] = G[c * B + r];                                        \
                hb[r * (K) + c] = H[c * B + r];                                        \
            }                                                                          \
    }

#define MC_SWITCH_K(MACRO, ...)                                                        \
    switch (k) {                                                                       \
    case 2: MACRO(__VA_ARGS__ 2) break;                                                \
    case 3: MACRO(__VA_ARGS__ 3) break;                                                \
    case 4: MACRO(__VA_ARGS__ 4) break;                                                \
    case 8: MACRO(__VA_ARGS__ 8) break;                                                \
    case 16: MACRO(__VA_ARGS__ 16) break;                                              \
    default: MACRO(__VA_ARGS__ k) break;                                               \
    }

#define MC_LOAD(SUF, ZT)                                                               \
    if (f_order) {                                                                     \
        MC_LOAD_F(ZT)                                                                  \
    } else {                                                                           \
        MC_SWITCH_K(MC_LOAD_C, ZT,)                                                    \
    }

#define MC_STORE                                                                       \
    if (!f_order) {                                                                    \
        MC_SWITCH_K(MC_STORE_C,)                                                       \
    }

/* ---- the math */
/* steps 1 and 2 for one block; with `focal`, also the label's column: d_y, e_y, whether it is
 * the top column and its class weight, each a sum with one nonzero term, in passes of their own
 * (the exp loop spills every live vector around the libmvec call, so it is kept lean) */
INLINE void mc_softmax_parts(double *restrict E, ptrdiff_t B, ptrdiff_t k, ptrdiff_t m,
                             const double *restrict y, const double *restrict alpha,
                             double *const *R, long long *restrict top, int focal) {
    double *restrict mx = R[R_M], *restrict rest = R[R_REST];
    double *restrict ey = R[R_EY], *restrict dy = R[R_DY], *restrict ty = R[R_TY];
    double *restrict ay = R[R_AY];
    _Pragma("omp simd")
    for (ptrdiff_t r = 0; r < m; r++) {
        mx[r] = E[r];
        top[r] = 0;
        rest[r] = 0.0;
    }
    for (ptrdiff_t c = 1; c < k; c++) {
        const double *restrict ec = E + c * B;
        const long long cl = c;
        _Pragma("omp simd")
        for (ptrdiff_t r = 0; r < m; r++) {
            double x = ec[r], cur = mx[r];
            long long gt = -(long long)(x > cur); /* strict: the first column with the maximum */
            mx[r] = x > cur ? x : cur;
            top[r] = (top[r] & ~gt) | (cl & gt);
        }
    }
    if (focal) {
        _Pragma("omp simd")
        for (ptrdiff_t r = 0; r < m; r++) {
            ey[r] = 0.0;
            dy[r] = 0.0;
            ty[r] = 0.0;
            ay[r] = 0.0;
        }
        for (ptrdiff_t c = 0; c < k; c++) {
            const double *restrict ec = E + c * B;
            const double cc = (double)c, ac = alpha ? alpha[c] : 1.0;
            const long long cl = c;
            _Pragma("omp simd")
            for (ptrdiff_t r = 0; r < m; r++) {
                double x = ec[r];
                int isy = y[r] == cc;
                dy[r] += isy ? (x == mx[r] ? 0.0 : x - mx[r]) : 0.0;
                ty[r] += (isy & (top[r] == cl)) ? 1.0 : 0.0;
                ay[r] += isy ? ac : 0.0;
            }
        }
    }
    for (ptrdiff_t c = 0; c < k; c++) {
        double *restrict ec = E + c * B;
        const long long cl = c;
        _Pragma("omp simd")
        for (ptrdiff_t r = 0; r < m; r++) {
            double x = ec[r];
            int eq = x == mx[r];
            double d = eq ? 0.0 : x - mx[r];
            double e = exp(d);
            e = eq ? 1.0 : e;
            rest[r] += top[r] == cl ? 0.0 : e;
            ec[r] = e;
        }
    }
    if (focal)
        for (ptrdiff_t c = 0; c < k; c++) {
            const double *restrict ec = E + c * B;
            const double cc = (double)c;
            _Pragma("omp simd")
            for (ptrdiff_t r = 0; r < m; r++) ey[r] += y[r] == cc ? ec[r] : 0.0;
        }
    double *restrict S = R[R_S], *restrict rq = R[R_RQ];
    _Pragma("omp simd")
    for (ptrdiff_t r = 0; r < m; r++) {
        S[r] = 1.0 + rest[r];
        rq[r] = rest[r] / S[r]; /* 1 - p of the top column */
    }
}

/* step 4, softmax: g = p - [c = y], h = max(p (1 - p), 1e-16) * scale, both times w. Class c of
 * row r goes to go[c*os + r] (os = n straight into Fortran-ordered outputs, B into the
 * staging of C-ordered ones) */
INLINE void mc_softmax_out(const double *restrict E, ptrdiff_t B, ptrdiff_t k, ptrdiff_t m,
                           const double *restrict y, const double *restrict w, double scale,
                           double *const *R, const long long *restrict top, float *restrict go,
                           float *restrict ho, ptrdiff_t os, int weighted) {
    const double *restrict S = R[R_S], *restrict rq = R[R_RQ];
    for (ptrdiff_t c = 0; c < k; c++) {
        const double *restrict ec = E + c * B;
        float *restrict gc = go + c * os, *restrict hc = ho + c * os;
        const double cc = (double)c;
        const long long cl = c;
        _Pragma("omp simd")
        for (ptrdiff_t r = 0; r < m; r++) {
            double p = ec[r] / S[r];
            double q = top[r] == cl ? rq[r] : 1.0 - p;
            double gg = y[r] == cc ? -q : p;
            double hh = floor64(p * q) * scale;
            if (weighted) { gg = gg * w[r]; hh = hh * w[r]; }
            gc[r] = (float)gg;
            hc[r] = (float)hh;
        }
    }
}

/* step 3 for the label's column and the focal factors of MulticlassFocalLoss._gradient_hessian:
 * q_y, s = -log p_y = (m - z_y) + log1p(rest), a q_y**gamma, F and p_y G.
 * gmode: 0 general gamma (exp(gamma log q)), 1 gamma = 1, 2 gamma = 2, 3 gamma = 0 */
INLINE void mc_focal_rows(ptrdiff_t m, double gamma, const double *restrict alpha, int gmode,
                          double *const *R) {
    const double *restrict rest = R[R_REST], *restrict S = R[R_S], *restrict rq = R[R_RQ];
    const double *restrict ey = R[R_EY], *restrict dy = R[R_DY], *restrict ty = R[R_TY];
    const double *restrict ay = R[R_AY];
    double *restrict qyo = R[R_QY], *restrict Fo = R[R_F], *restrict pGo = R[R_PG];
    double *restrict aqgo = R[R_AQG];
    const int weights = alpha != 0;
    _Pragma("omp simd")
    for (ptrdiff_t r = 0; r < m; r++) {
        double py = ey[r] / S[r];
        double qy = ty[r] != 0.0 ? rq[r] : 1.0 - py;
        double s = (dy[r] == 0.0 ? 0.0 : -dy[r]) + log1p(rest[r]);
        double qg = gmode == 2 ? qy * qy : gmode == 1 ? qy : gmode == 3 ? 1.0
                  : exp(gamma * log(qy)); /* 0 when q is 0 */
        double aqg = weights ? ay[r] * qg : qg;
        double s_over_q = qy > 0.0 ? s / qy : 1.0; /* -> 1 as q -> 0 */
        int live = py > 0.0; /* p s -> 0 and p G -> 0 as p -> 0 */
        double F = aqg * (gamma * (live ? py * s_over_q : 0.0) + 1.0);
        double G = aqg * ((1.0 - gamma) * (gamma * (live ? py * s : 0.0) + qy)
                          + qy * (gamma * s - gamma - 1.0));
        qyo[r] = qy;
        Fo[r] = F;
        pGo[r] = live ? py * G : 0.0;
        aqgo[r] = aqg;
    }
}

/* step 4, focal: g = (p - [c = y]) F, h = p (1 - p) F - ((p - [c = y]) / q_y)**2 p_y G, or
 * max(that, a q_y**gamma p (1 - p)) bounded; floored, scaled, weighted */
INLINE void mc_focal_out(const double *restrict E, ptrdiff_t B, ptrdiff_t k, ptrdiff_t m,
                         const double *restrict y, const double *restrict w, double scale,
                         int bounded, double *const *R, const long long *restrict top,
                         float *restrict go, float *restrict ho, ptrdiff_t os, int weighted) {
    const double *restrict S = R[R_S], *restrict rq = R[R_RQ];
    const double *restrict qy = R[R_QY], *restrict F = R[R_F], *restrict pG = R[R_PG];
    const double *restrict aqg = R[R_AQG];
    for (ptrdiff_t c = 0; c < k; c++) {
        const double *restrict ec = E + c * B;
        float *restrict gc = go + c * os, *restrict hc = ho + c * os;
        const double cc = (double)c;
        const long long cl = c;
        _Pragma("omp simd")
        for (ptrdiff_t r = 0; r < m; r++) {
            double p = ec[r] / S[r];
            double q = top[r] == cl ? rq[r] : 1.0 - p;
            double soft = y[r] == cc ? -qy[r] : p;
            double gg = soft * F[r];
            double ratio = qy[r] > 0.0 ? soft / qy[r] : 0.0;
            double pq = p * q;
            double hh = pq * F[r] - ratio * ratio * pG[r];
            if (bounded) {
                double b = pq * aqg[r];
                hh = hh < b ? b : hh;
            }
            hh = floor64(hh) * scale;
            if (weighted) { gg = gg * w[r]; hh = hh * w[r]; }
            gc[r] = (float)gg;
            hc[r] = (float)hh;
        }
    }
}

/* ---- the entry points: blocks of rows, in, math, out */
#define MC_BLOCKS(SUF, ZT, BODY)                                                       \
    if (n <= 0 || k <= 0) return 0;                                                    \
    const ptrdiff_t B = mc_block_rows(k);                                              \
    mc_work ws;                                                                        \
    if (mc_alloc(&ws, k, B) < 0) return -1;                                            \
    double *restrict E = ws.E;                                                         \
    float *restrict G = ws.G, *restrict H = ws.H;                                      \
    for (ptrdiff_t r0 = 0; r0 < n; r0 += B) {                                          \
        const ptrdiff_t m = n - r0 < B ? n - r0 : B;                                   \
        const double *yb = y + r0, *wb = w ? w + r0 : 0;                               \
        float *go = f_order ? g + r0 : G, *ho = f_order ? h + r0 : H;                  \
        const ptrdiff_t os = f_order ? n : B;                                          \
        MC_LOAD(SUF, ZT)                                                               \
        BODY                                                                           \
        MC_STORE                                                                       \
    }                                                                                  \
    free(ws.mem);                                                                      \
    return 0;

#define MC_SOFTMAX_BODY                                                                \
    mc_softmax_parts(E, B, k, m, yb, 0, ws.R, ws.top, 0);                              \
    if (wb) mc_softmax_out(E, B, k, m, yb, wb, scale, ws.R, ws.top, go, ho, os, 1);    \
    else mc_softmax_out(E, B, k, m, yb, wb, scale, ws.R, ws.top, go, ho, os, 0);

CLONES int bo_softmax_f32(const float *z, const double *y, const double *w, float *g, float *h,
                          ptrdiff_t n, ptrdiff_t k, int f_order, double scale) {
    MC_BLOCKS(f32, float, MC_SOFTMAX_BODY)
}

CLONES int bo_softmax_f64(const double *z, const double *y, const double *w, float *g, float *h,
                          ptrdiff_t n, ptrdiff_t k, int f_order, double scale) {
    MC_BLOCKS(f64, double, MC_SOFTMAX_BODY)
}

#define MC_FOCAL_OUT(BOUNDED, WEIGHTED)                                                \
    mc_focal_out(E, B, k, m, yb, wb, scale, BOUNDED, ws.R, ws.top, go, ho, os, WEIGHTED)

#define MC_FOCAL_BODY                                                                  \
    mc_softmax_parts(E, B, k, m, yb, alpha, ws.R, ws.top, 1);                          \
    switch (gmode) {                                                                   \
    case 1: mc_focal_rows(m, gamma, alpha, 1, ws.R); break;                            \
    case 2: mc_focal_rows(m, gamma, alpha, 2, ws.R); break;                            \
    case 3: mc_focal_rows(m, gamma, alpha, 3, ws.R); break;                            \
    default: mc_focal_rows(m, gamma, alpha, 0, ws.R); break;                           \
    }                                                                                  \
    switch (bounded * 2 + (wb != 0)) {                                                 \
    case 0: MC_FOCAL_OUT(0, 0); break;                                                 \
    case 1: MC_FOCAL_OUT(0, 1); break;                                                 \
    case 2: MC_FOCAL_OUT(1, 0); break;                                                 \
    default: MC_FOCAL_OUT(1, 1); break;                                                \
    }

#define MC_GMODE (gamma == 2.0 ? 2 : gamma == 1.0 ? 1 : gamma == 0.0 ? 3 : 0)

CLONES int bo_multiclass_focal_f32(const float *z, const double *y, const double *w, float *g,
                                   float *h, ptrdiff_t n, ptrdiff_t k, int f_order, double scale,
                                   double gamma, const double *alpha, int bounded) {
    const int gmode = MC_GMODE;
    MC_BLOCKS(f32, float, MC_FOCAL_BODY)
}

CLONES int bo_multiclass_focal_f64(const double *z, const double *y, const double *w, float *g,
                                   float *h, ptrdiff_t n, ptrdiff_t k, int f_order, double scale,
                                   double gamma, const double *alpha, int bounded) {
    const int gmode = MC_GMODE;
    MC_BLOCKS(f64, double, MC_FOCAL_BODY)
}
