/* boostobj._ckernels: the Python binding of kernels.c. Arguments are checked here (C-contiguous,
 * dtype, length, writable float32 outputs; for the multiclass kernels 2-D margins C- or
 * Fortran-contiguous, outputs of the same shape and memory order, k class weights) so that a
 * wrong call raises instead of reading or writing out of bounds; boostobj/_kernels.py only calls
 * it with arrays it has prepared. The GIL is released while a kernel runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

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

static PyObject *log_loss(PyObject *self, PyObject *args) {
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

static PyObject *focal(PyObject *self, PyObject *args) {
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

static PyObject *log_cosh(PyObject *self, PyObject *args) {
    PyObject *zo, *yo, *wo, *go, *ho;
    int exact;
    double scale;
    Py_buffer b[5];
    Py_ssize_t n;
    const double *w;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOdp:log_cosh", &zo, &yo, &wo, &go, &ho, &scale, &exact))
        return NULL;
    if (!(scale > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "log_cosh: scale must be > 0");
        return NULL;
    }
    if (get_all(zo, yo, wo, go, ho, b, &n, &w) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        bo_log_cosh_f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, scale, exact);
    else
        bo_log_cosh_f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, scale, exact);
    Py_END_ALLOW_THREADS
    release_all(b);
    Py_RETURN_NONE;
}

static PyObject *pseudo_huber(PyObject *self, PyObject *args) {
    PyObject *zo, *yo, *wo, *go, *ho;
    double delta;
    int exact;
    Py_buffer b[5];
    Py_ssize_t n;
    const double *w;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOdp:pseudo_huber", &zo, &yo, &wo, &go, &ho, &delta, &exact))
        return NULL;
    if (!(delta > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "pseudo_huber: delta must be > 0");
        return NULL;
    }
    if (get_all(zo, yo, wo, go, ho, b, &n, &w) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (b[0].itemsize == 4)
        bo_pseudo_huber_f32(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, delta, exact);
    else
        bo_pseudo_huber_f64(b[0].buf, b[1].buf, w, b[3].buf, b[4].buf, n, delta, exact);
    Py_END_ALLOW_THREADS
    release_all(b);
    Py_RETURN_NONE;
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

static PyObject *softmax(PyObject *self, PyObject *args) {
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

static PyObject *multiclass_focal(PyObject *self, PyObject *args) {
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

static PyMethodDef methods[] = {
    {"log_loss", log_loss, METH_VARARGS,
     "log_loss(z, y, w, g, h): binary log loss gradient/hessian into float32 g, h."},
    {"focal", focal, METH_VARARGS,
     "focal(z, y, w, g, h, gamma, a_pos, a_neg, bounded): binary focal loss into g, h."},
    {"log_cosh", log_cosh, METH_VARARGS,
     "log_cosh(z, y, w, g, h, scale, exact): log-cosh gradient/hessian into float32 g, h."},
    {"pseudo_huber", pseudo_huber, METH_VARARGS,
     "pseudo_huber(z, y, w, g, h, delta, exact): pseudo-Huber gradient/hessian into g, h."},
    {"softmax", softmax, METH_VARARGS,
     "softmax(z, y, w, g, h, scale): softmax cross-entropy on (n, k) margins, C- or F-ordered,\n"
     "into float32 g, h of the same shape and order."},
    {"multiclass_focal", multiclass_focal, METH_VARARGS,
     "multiclass_focal(z, y, w, g, h, scale, gamma, alpha, bounded): multiclass focal loss into\n"
     "float32 g, h (alpha None or k float64 class weights)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ckernels",
                                    "Compiled gradient/hessian kernels (see kernels.c).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__ckernels(void) { return PyModule_Create(&module); }
