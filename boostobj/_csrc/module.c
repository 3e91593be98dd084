/* boostobj._ckernels: the Python binding of kernels.c. Arguments are checked here (C-contiguous,
 * dtype, length, writable float32 outputs; for the multiclass kernels 2-D margins C- or
 * Fortran-contiguous, outputs of the same shape and memory order, k class weights) so that a
 * wrong call raises instead of reading or writing out of bounds; boostobj/_kernels.py only calls
 * it with arrays it has prepared. The GIL is released while a kernel runs (catboost_ders keeps
 * it for CatBoost-sized blocks: see there). The bindings, the method table, CatBoost's one-call
 * table and the exported TABLE of the one-dimensional kernels are generated from kernels.h's
 * BO_KERNELS_1D; the other kernels' bindings are written out and listed in BO_KERNELS_OTHER.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <string.h>

#include "kernels.h"

/* whether view holds float32 ("f") or float64 ("d") items, or either if fmt is NULL; else a
 * TypeError is set (the buffer is still held) */
static int check_format(const Py_buffer *view, const char *fmt, const char *what) {
    const char *f = view->format ? view->format : "B";
    if (f[0] == '=' || f[0] == '<' || f[0] == '@') f++;
    int is_f = f[0] == 'f' && f[1] == 0 && view->itemsize == 4;
    int is_d = f[0] == 'd' && f[1] == 0 && view->itemsize == 8;
    if (fmt ? (fmt[0] == 'f' ? is_f : is_d) : (is_f || is_d)) return 0;
    PyErr_Format(PyExc_TypeError, "%s: expected %s, got format '%s'", what,
                 fmt ? (fmt[0] == 'f' ? "float32" : "float64") : "float32 or float64",
                 view->format ? view->format : "B");
    return -1;
}

/* a C-contiguous buffer of n items (any number if n < 0) of format `fmt` ("f" or "d"), or of
 * either if fmt is NULL; on failure an exception is set and nothing is held */
static int get(PyObject *obj, Py_buffer *view, const char *fmt, Py_ssize_t n, int writable,
               const char *what) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    if (check_format(view, fmt, what) < 0) {
        PyBuffer_Release(view);
        return -1;
    }
    if (n >= 0 && view->len / view->itemsize != n) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items, got %zd", what, n,
                     view->len / view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* labels y (n,) into b[1] and weights w (n,) or None into b[2]; on failure neither is held */
static int get_labels_weights(PyObject *yo, PyObject *wo, Py_buffer b[5], Py_ssize_t n) {
    if (get(yo, &b[1], "d", n, 0, "labels") < 0) return -1;
    b[2].obj = NULL;
    if (wo != Py_None && get(wo, &b[2], "d", n, 0, "weights") < 0) {
        PyBuffer_Release(&b[1]);
        return -1;
    }
    return 0;
}

/* release the first `got` buffers of b (those obtained) and fail */
static int release_first(Py_buffer b[5], int got) {
    for (int i = 0; i < got; i++)
        if (b[i].obj) PyBuffer_Release(&b[i]);
    return -1;
}

/* z, y, w-or-None, g, h: all buffers obtained or none (an exception set); *n is the number of
 * rows and *w the weights or NULL */
static int get_all(PyObject *zo, PyObject *yo, PyObject *wo, PyObject *go, PyObject *ho,
                   Py_buffer b[5], Py_ssize_t *n, const double **w) {
    if (get(zo, &b[0], NULL, -1, 0, "margins") < 0) return -1;
    *n = b[0].len / b[0].itemsize;
    if (get_labels_weights(yo, wo, b, *n) < 0) return release_first(b, 1);
    if (get(go, &b[3], "f", *n, 1, "gradient") < 0) return release_first(b, 3);
    if (get(ho, &b[4], "f", *n, 1, "hessian") < 0) return release_first(b, 4);
    *w = b[2].obj ? (const double *)b[2].buf : NULL;
    return 0;
}

static void release_all(Py_buffer b[5]) {
    for (int i = 0; i < 5; i++)
        if (b[i].obj) PyBuffer_Release(&b[i]);
}

static PyObject *py_log_loss(PyObject *self, PyObject *args) {
    PyObject *zo, *yo, *wo, *go, *ho;
    Py_buffer b[5];
    Py_ssize_t n;
    const double *w;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOO:log_loss", &zo, &yo, &wo, &go, &ho)) return NULL;
    if (get_all(zo, yo, wo, go, ho, b, &n, &w) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        bo_log_loss_f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n);
    else
        bo_log_loss_f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n);
    Py_END_ALLOW_THREADS
    release_all(b);
    Py_RETURN_NONE;
}

static PyObject *py_focal(PyObject *self, PyObject *args) {
    PyObject *zo, *yo, *wo, *go, *ho;
    double gamma, a_pos, a_neg;
    int bounded;
    Py_buffer b[5];
    Py_ssize_t n;
    const double *w;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOdddp:focal", &zo, &yo, &wo, &go, &ho, &gamma, &a_pos,
                          &a_neg, &bounded))
        return NULL;
    if (get_all(zo, yo, wo, go, ho, b, &n, &w) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        bo_focal_f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, gamma, a_pos, a_neg, bounded);
    else
        bo_focal_f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, gamma, a_pos, a_neg, bounded);
    Py_END_ALLOW_THREADS
    release_all(b);
    Py_RETURN_NONE;
}

/* the kernels of kernels.h's BO_KERNELS_1D: (z, y, w, g, h, param, param2, exact), each
 * parameter checked against its rule (lo <= param <= hi, which also refuses NaN) */
typedef void (*kernel_1d_f32)(const float *, const double *, const double *, float *, float *,
                              ptrdiff_t, double, double, int);
typedef void (*kernel_1d_f64)(const double *, const double *, const double *, float *, float *,
                              ptrdiff_t, double, double, int);

static int check_param(const char *name, const char *param, double p, const char *rule,
                       double lo, double hi) {
    if (p >= lo && p <= hi) return 0;
    PyObject *v = PyFloat_FromDouble(p);
    if (v) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be %s, got %R", name, param, rule, v);
        Py_DECREF(v);
    }
    return -1;
}

static PyObject *call_1d(PyObject *args, const char *format, const char *name, const char *param,
                         const char *rule, double lo, double hi, const char *param2,
                         const char *rule2, double lo2, double hi2, kernel_1d_f32 f32,
                         kernel_1d_f64 f64) {
    PyObject *zo, *yo, *wo, *go, *ho;
    double p, p2;
    int exact;
    Py_buffer b[5];
    Py_ssize_t n;
    const double *w;
    if (!PyArg_ParseTuple(args, format, &zo, &yo, &wo, &go, &ho, &p, &p2, &exact)) return NULL;
    if (check_param(name, param, p, rule, lo, hi) < 0) return NULL;
    if (check_param(name, param2, p2, rule2, lo2, hi2) < 0) return NULL;
    if (get_all(zo, yo, wo, go, ho, b, &n, &w) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, p, p2, exact);
    else
        f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, p, p2, exact);
    Py_END_ALLOW_THREADS
    release_all(b);
    Py_RETURN_NONE;
}

/* the parameters' rules of BO_KERNELS_1D: the message and the bounds lo, hi */
#define POSITIVE "> 0", DBL_TRUE_MIN, DBL_MAX
#define UNIT "strictly between 0 and 1", DBL_TRUE_MIN, 1.0 - DBL_EPSILON / 2
#define UNUSED "finite (unused)", -DBL_MAX, DBL_MAX
#define NON_NEGATIVE ">= 0", 0.0, DBL_MAX
#define POWER "strictly between 1 and 2", 1.0 + DBL_EPSILON, 2.0 - DBL_EPSILON

/* the binding py_NAME of each kernel NAME of the list (each RULE expands to three arguments) */
#define BIND_1D(NAME, PARAM, RULE, PARAM2, RULE2, ...)                                 \
    static PyObject *py_##NAME(PyObject *self, PyObject *args) {                       \
        (void)self;                                                                    \
        return call_1d(args, "OOOOOddp:" #NAME, #NAME, PARAM, RULE, PARAM2, RULE2,     \
                       bo_##NAME##_f32, bo_##NAME##_f64);                              \
    }
BO_KERNELS_1D(BIND_1D)

/* ------------------------------------------------------------------------------ CatBoost */
/* CatBoost's calc_ders_range as one compiled call. CatBoost hands a Python objective blocks of
 * about 1000 rows (float64 margins, float32 labels and weights), several hundred calls per
 * iteration from its worker threads, each taking the GIL. Bound with functools.partial as the
 * objective's calc_ders_range attribute (boostobj._kernels.catboost_ders), it runs no Python
 * frame at all: it reads CatBoost's arrays as they are (float32 or float64, C-contiguous), runs
 * a float64-margin 1-D kernel on chunks (every input widened exactly on the stack) and returns
 * a new (m, 2) float64 numpy array of (-g, -h), CatBoost's typed-copy layout. CatBoost-sized
 * blocks keep the GIL (about 1 us of work). Measured with catboost 1.2.10 (200k rows x 10,
 * depth 6, 200 iterations, 2 threads): the estimator trained in 1.02-1.18x CatBoost's Logloss
 * with this, 1.4-2.1x with a Python method running the same kernel and numpy steps. Every
 * kernel takes (p0, p1, p2, flag): a 1-D kernel's param, param2 and exact; focal's gamma,
 * a_pos, a_neg and bounded. The kernels it may run are those with CATBOOST 1 in kernels.h's
 * lists. */
typedef void (*pair_kernel)(const double *, const double *, const double *, float *, float *,
                            ptrdiff_t, const double *, int);

static void pk_log_loss(const double *z, const double *y, const double *w, float *g, float *h,
                        ptrdiff_t n, const double *p, int flag) {
    (void)p;
    (void)flag;
    bo_log_loss_f64(z, y, w, g, h, n);
}

static void pk_focal(const double *z, const double *y, const double *w, float *g, float *h,
                     ptrdiff_t n, const double *p, int flag) {
    bo_focal_f64(z, y, w, g, h, n, p[0], p[1], p[2], flag);
}

/* pk_NAME for each kernel of BO_KERNELS_1D with CATBOOST 1 */
#define PAIR_1D(NAME, PARAM, RULE, PARAM2, RULE2, Y, HESSIAN, OPS, CATBOOST)           \
    PAIR_1D_##CATBOOST(NAME)
#define PAIR_1D_0(NAME)
#define PAIR_1D_1(NAME)                                                                \
    static void pk_##NAME(const double *z, const double *y, const double *w, float *g,  \
                          float *h, ptrdiff_t n, const double *p, int flag) {           \
        bo_##NAME##_f64(z, y, w, g, h, n, p[0], p[1], flag);                           \
    }
BO_KERNELS_1D(PAIR_1D)
#define PAIR_OF_0(NAME) NULL
#define PAIR_OF_1(NAME) pk_##NAME

/* every kernel of the module, from kernels.h's lists: the 1-D kernels' parameter names (NULL for
 * the others), whether y holds the labels' logarithms and whether `exact` switches the hessian,
 * and CatBoost's one-call entry (NULL where catboost_ders may not run it) */
#define IS_LABELS 0
#define IS_LOG_LABELS 1
#define IS_ONE 0
#define IS_EXACT 1
static const struct {
    const char *name, *param, *param2;
    int log_labels, exact;
    pair_kernel pair;
} KERNELS[] = {
#define ENTRY_1D(NAME, PARAM, RULE, PARAM2, RULE2, Y, HESSIAN, OPS, CATBOOST)          \
    {#NAME, PARAM, PARAM2, IS_##Y, IS_##HESSIAN, PAIR_OF_##CATBOOST(NAME)},
    BO_KERNELS_1D(ENTRY_1D)
#define ENTRY_OTHER(NAME, CATBOOST, DOC) {#NAME, NULL, NULL, 0, 0, PAIR_OF_##CATBOOST(NAME)},
    BO_KERNELS_OTHER(ENTRY_OTHER)
};
#define N_KERNELS (sizeof KERNELS / sizeof KERNELS[0])

#define PAIR_CHUNK 1024

/* items a..a+m of a float32 or float64 buffer as float64 (exact) */
static void widen(const Py_buffer *v, Py_ssize_t a, Py_ssize_t m, double *out) {
    if (v->itemsize == 4) {
        const float *x = (const float *)v->buf + a;
        for (Py_ssize_t i = 0; i < m; i++) out[i] = x[i];
    } else {
        memcpy(out, (const double *)v->buf + a, (size_t)m * sizeof(double));
    }
}
/* blocks up to this many rows keep the GIL (CatBoost's are about 1000; a kernel takes about
 * 1 us per 1000 rows) */
#define PAIR_KEEP_GIL 16384

static PyObject *catboost_ders(PyObject *self, PyObject *args) {
    const char *name;
    double p[3];
    int flag;
    PyObject *zo, *yo, *wo;
    Py_buffer b[5]; /* release_first's size; the fifth is unused */
    pair_kernel f = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "sdddpOOO:catboost_ders", &name, &p[0], &p[1], &p[2], &flag,
                          &zo, &yo, &wo))
        return NULL;
    for (size_t i = 0; i < N_KERNELS; i++)
        if (strcmp(name, KERNELS[i].name) == 0) f = KERNELS[i].pair;
    if (!f) return PyErr_Format(PyExc_ValueError, "catboost_ders: no kernel %s", name);
    if (get(zo, &b[0], NULL, -1, 0, "margins") < 0) return NULL;
    Py_ssize_t n = b[0].len / b[0].itemsize;
    if (get(yo, &b[1], NULL, n, 0, "labels") < 0) {
        release_first(b, 1);
        return NULL;
    }
    b[2].obj = NULL;
    if (wo != Py_None && get(wo, &b[2], NULL, n, 0, "weights") < 0) {
        release_first(b, 2);
        return NULL;
    }
    static PyObject *empty = NULL; /* numpy.empty: CatBoost's fast path needs an exact ndarray */
    if (!empty) {
        PyObject *np = PyImport_ImportModule("numpy");
        if (np) {
            empty = PyObject_GetAttrString(np, "empty");
            Py_DECREF(np);
        }
    }
    PyObject *result = empty ? PyObject_CallFunction(empty, "((ni))", n, 2) : NULL;
    if (!result) {
        release_first(b, 3);
        return NULL;
    }
    if (get(result, &b[3], "d", 2 * n, 1, "out") < 0) {
        Py_DECREF(result);
        release_first(b, 3);
        return NULL;
    }
    double *out = b[3].buf;
    PyThreadState *ts = n > PAIR_KEEP_GIL ? PyEval_SaveThread() : NULL;
    for (Py_ssize_t a = 0; a < n; a += PAIR_CHUNK) {
        Py_ssize_t m = n - a < PAIR_CHUNK ? n - a : PAIR_CHUNK;
        double z[PAIR_CHUNK], y[PAIR_CHUNK], w[PAIR_CHUNK];
        float g[PAIR_CHUNK], h[PAIR_CHUNK];
        widen(&b[0], a, m, z);
        widen(&b[1], a, m, y);
        if (b[2].obj) widen(&b[2], a, m, w);
        f(z, y, b[2].obj ? w : NULL, g, h, m, p, flag);
        for (Py_ssize_t i = 0; i < m; i++) {
            out[2 * (a + i)] = -(double)g[i];
            out[2 * (a + i) + 1] = -(double)h[i];
        }
    }
    if (ts) PyEval_RestoreThread(ts);
    release_first(b, 4);
    return result;
}

/* ------------------------------------------------------------------------------ multiclass */
/* a 2-D buffer of format `fmt` ("f" or "d", or either if NULL), C- or Fortran-contiguous; with
 * shape != NULL it must have that shape and, when *f_order >= 0, that memory order; otherwise
 * *f_order is set (1 when Fortran-ordered and not C-ordered) */
static int get2d(PyObject *obj, Py_buffer *view, const char *fmt, const Py_ssize_t *shape,
                 int *f_order, int writable, const char *what) {
    int flags = PyBUF_STRIDES | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    if (check_format(view, fmt, what) < 0) goto fail;
    if (view->ndim != 2) {
        PyErr_Format(PyExc_ValueError, "%s: expected a 2-D array, got %d dimensions", what,
                     view->ndim);
        goto fail;
    }
    if (shape && (view->shape[0] != shape[0] || view->shape[1] != shape[1])) {
        PyErr_Format(PyExc_ValueError, "%s: expected shape (%zd, %zd), got (%zd, %zd)", what,
                     shape[0], shape[1], view->shape[0], view->shape[1]);
        goto fail;
    }
    int c = PyBuffer_IsContiguous(view, 'C'), fo = PyBuffer_IsContiguous(view, 'F');
    if (*f_order < 0) {
        if (!c && !fo) {
            PyErr_Format(PyExc_ValueError, "%s: not C- or Fortran-contiguous", what);
            goto fail;
        }
        *f_order = !c;
    } else if (!(*f_order ? fo : c)) {
        PyErr_Format(PyExc_ValueError, "%s: not %s-contiguous like the margins", what,
                     *f_order ? "Fortran" : "C");
        goto fail;
    }
    return 0;
fail:
    PyBuffer_Release(view);
    return -1;
}

/* z (n, k), y (n,), w (n,) or None, g and h float32 (n, k) in z's order */
static int get_multiclass(PyObject *zo, PyObject *yo, PyObject *wo, PyObject *go, PyObject *ho,
                          Py_buffer b[5], Py_ssize_t *n, Py_ssize_t *k, int *f_order,
                          const double **w) {
    *f_order = -1;
    if (get2d(zo, &b[0], NULL, NULL, f_order, 0, "margins") < 0) return -1;
    *n = b[0].shape[0];
    *k = b[0].shape[1];
    if (get_labels_weights(yo, wo, b, *n) < 0) return release_first(b, 1);
    if (get2d(go, &b[3], "f", b[0].shape, f_order, 1, "gradient") < 0) return release_first(b, 3);
    if (get2d(ho, &b[4], "f", b[0].shape, f_order, 1, "hessian") < 0) return release_first(b, 4);
    *w = b[2].obj ? (const double *)b[2].buf : NULL;
    return 0;
}

static PyObject *py_softmax(PyObject *self, PyObject *args) {
    PyObject *zo, *yo, *wo, *go, *ho;
    double scale;
    Py_buffer b[5];
    Py_ssize_t n, k;
    int f_order, rc;
    const double *w;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOd:softmax", &zo, &yo, &wo, &go, &ho, &scale)) return NULL;
    if (get_multiclass(zo, yo, wo, go, ho, b, &n, &k, &f_order, &w) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        rc = bo_softmax_f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, k, f_order, scale);
    else
        rc = bo_softmax_f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, k, f_order, scale);
    Py_END_ALLOW_THREADS
    release_all(b);
    if (rc < 0) return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyObject *py_multiclass_focal(PyObject *self, PyObject *args) {
    PyObject *zo, *yo, *wo, *go, *ho, *ao;
    double scale, gamma;
    int bounded, f_order, rc;
    Py_buffer b[5], ab;
    Py_ssize_t n, k;
    const double *w, *alpha = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOddOp:multiclass_focal", &zo, &yo, &wo, &go, &ho, &scale,
                          &gamma, &ao, &bounded))
        return NULL;
    if (get_multiclass(zo, yo, wo, go, ho, b, &n, &k, &f_order, &w) < 0) return NULL;
    ab.obj = NULL;
    if (ao != Py_None) {
        if (get(ao, &ab, "d", k, 0, "alpha") < 0) {
            release_all(b);
            return NULL;
        }
        alpha = ab.buf;
    }
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        rc = bo_multiclass_focal_f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, k, f_order,
                                     scale, gamma, alpha, bounded);
    else
        rc = bo_multiclass_focal_f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, k, f_order,
                                     scale, gamma, alpha, bounded);
    Py_END_ALLOW_THREADS
    if (ab.obj) PyBuffer_Release(&ab);
    release_all(b);
    if (rc < 0) return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* the docstring pieces of a 1-D kernel's binding */
#define Y_DOC_LABELS "y"
#define Y_DOC_LOG_LABELS "log_y"
#define ABOUT_Y_LABELS ""
#define ABOUT_Y_LOG_LABELS " from the labels' logarithms (-inf for a label 0)"
#define ABOUT_EXACT_EXACT "; exact: the exact hessian, else the bounded one"
#define ABOUT_EXACT_ONE "; exact unused"

static PyMethodDef methods[] = {
#define METHOD_OTHER(NAME, CATBOOST, DOC) {#NAME, py_##NAME, METH_VARARGS, DOC},
    BO_KERNELS_OTHER(METHOD_OTHER)
#define METHOD_1D(NAME, PARAM, RULE, PARAM2, RULE2, Y, HESSIAN, OPS, CATBOOST)         \
    {#NAME, py_##NAME, METH_VARARGS,                                                   \
     #NAME "(z, " Y_DOC_##Y ", w, g, h, " PARAM ", " PARAM2 ", exact): gradient and hessian" \
     " into float32 g, h" ABOUT_Y_##Y ABOUT_EXACT_##HESSIAN "."},
    BO_KERNELS_1D(METHOD_1D)
    {"catboost_ders", catboost_ders, METH_VARARGS,
     "catboost_ders(name, p0, p1, p2, flag, z, y, w): kernel `name` on CatBoost's margins, labels\n"
     "and weights (or None), float32 or float64: a new (m, 2) float64 array of -g, -h."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ckernels",
                                    "Compiled gradient/hessian kernels (see kernels.c).", -1,
                                    methods};

/* TABLE: one (name, (param, param2) or None, log_labels, exact, catboost) per kernel, from
 * KERNELS: a 1-D kernel's parameter names ("param", "param2" where unused), whether it reads the
 * labels' logarithms and whether `exact` switches its hessian (None for the other signatures),
 * and whether catboost_ders runs it */
static PyObject *make_table(void) {
    PyObject *table = PyTuple_New((Py_ssize_t)N_KERNELS);
    for (size_t i = 0; table && i < N_KERNELS; i++) {
        PyObject *row, *catboost = KERNELS[i].pair ? Py_True : Py_False;
        if (KERNELS[i].param)
            row = Py_BuildValue("(s(ss)OOO)", KERNELS[i].name, KERNELS[i].param,
                                KERNELS[i].param2, KERNELS[i].log_labels ? Py_True : Py_False,
                                KERNELS[i].exact ? Py_True : Py_False, catboost);
        else
            row = Py_BuildValue("(sOOOO)", KERNELS[i].name, Py_None, Py_False, Py_None, catboost);
        if (!row) {
            Py_DECREF(table);
            return NULL;
        }
        PyTuple_SetItem(table, (Py_ssize_t)i, row);
    }
    return table;
}

PyMODINIT_FUNC PyInit__ckernels(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    PyObject *table = make_table();
    if (!table || PyModule_AddObjectRef(m, "TABLE", table) < 0) {
        Py_XDECREF(table);
        Py_DECREF(m);
        return NULL;
    }
    Py_DECREF(table);
    return m;
}
