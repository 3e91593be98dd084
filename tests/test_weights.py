"""boostobj.class_balanced_weights: labels of any kind the estimators take, zero-weight classes,
and clear errors without numpy warnings."""

import warnings

import numpy as np
import pytest

import boostobj
from boostobj import class_balanced_weights


def test_string_object_and_bool_labels_weigh_like_their_codes():
    codes = np.array([0, 0, 0, 1, 2, 2])
    expected = class_balanced_weights(codes, beta=0.9)
    names = np.array(["ant", "bee", "cat"])[codes]
    np.testing.assert_array_equal(class_balanced_weights(names, beta=0.9), expected)
    np.testing.assert_array_equal(class_balanced_weights(list(names), beta=0.9), expected)
    np.testing.assert_array_equal(class_balanced_weights(names.astype(object), beta=0.9), expected)
    np.testing.assert_array_equal(class_balanced_weights(codes[:4] > 0, beta=0.9),
                                  class_balanced_weights(codes[:4], beta=0.9))


def test_string_labels_train_a_classifier():
    pytest.importorskip("lightgbm")
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.where(X[:, 0] + rng.normal(size=300) > 1.0, "spam", "ham")
    w = class_balanced_weights(y)
    model = boostobj.LGBMClassifier(objective=boostobj.FocalLoss(), n_estimators=5, verbose=-1,
                                    n_jobs=1).fit(X, y, sample_weight=w)
    assert set(model.predict(X)) <= {"ham", "spam"}


def test_a_class_whose_weights_are_all_zero_keeps_them_without_warnings():
    y = np.array([0, 0, 1, 1, 1, 1, 2, 2])
    sw = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = class_balanced_weights(y, beta=0.9, sample_weight=sw)
    np.testing.assert_array_equal(w[:2], [0.0, 0.0])
    assert w.sum() == pytest.approx(sw.sum(), rel=1e-15)
    # the other classes are balanced among themselves, as if the weightless rows were not there
    np.testing.assert_allclose(w[2:], class_balanced_weights(y[2:], beta=0.9, sample_weight=sw[2:]),
                               rtol=1e-15)


@pytest.mark.parametrize(("y", "kwargs", "error", "message"), [
    ([0, 1], {"sample_weight": [0.0, 0.0]}, ValueError, "sample_weight sums to 0"),
    (["a", "b"], {"sample_weight": [1.0, 5e-324]}, ValueError,
     r"the class 'b' has a total weight of 4\.94e-324, too small .* scale sample_weight up"),
    ([0.0, np.nan], {}, ValueError, r"NaN or inf \(first at index 1\)"),
    (np.array([1.0, None], dtype=object), {}, TypeError, "comparable .* NoneType, float"),
    ([], {}, ValueError, "no rows"),
    ([[0, 1], [1, 0]], {}, ValueError, r"one class label per row, .* got shape \(2, 2\)"),
    ([0, 1], {"sample_weight": [1.0, -1.0]}, ValueError, "sample_weight must be >= 0"),
    ([0, 1], {"beta": 1.0}, ValueError, r"beta must be in \[0, 1\)"),
])
def test_bad_input_is_refused_without_numpy_warnings(y, kwargs, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(error, match=message):
            class_balanced_weights(y, **kwargs)
