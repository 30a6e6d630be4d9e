"""GLM.fit on a row-chunked dask.array: the in-memory fit, chunk by chunk, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from glmnotes.glm import GLM

da = pytest.importorskip("dask.array")  # the `dask` extra; locked in requirements.lock

FIT_ATTRIBUTES = ["params_", "bse_", "pvalues_", "deviance_", "null_deviance_", "llf_", "aic_"]


def data(family: str, n: int = 2000, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    s = 0.3 + X @ np.array([0.4, -0.3, 0.2, 0.1])
    y = {
        "poisson": lambda: rng.poisson(np.exp(s)).astype(float),
        "bernoulli": lambda: rng.binomial(1, expit(s)).astype(float),
        "gaussian": lambda: s + rng.standard_normal(n),
        "gamma": lambda: rng.gamma(3.0, np.exp(s) / 3.0),
    }[family]()
    return X, y


@pytest.mark.parametrize(
    "family, link", [("poisson", None), ("bernoulli", None), ("gaussian", None), ("gamma", "log")]
)
def test_chunked_fit_equals_the_in_memory_fit(family, link):
    X, y = data(family)
    memory = GLM(family, link=link).fit(X, y)
    chunked = GLM(family, link=link).fit(da.from_array(X, chunks=(300, 4)), da.from_array(y, 300))
    np.testing.assert_allclose(chunked.params_, memory.params_, rtol=0, atol=1e-10)
    assert chunked.n_iter_ == memory.n_iter_ and chunked.converged_
    for name in FIT_ATTRIBUTES:
        np.testing.assert_allclose(getattr(chunked, name), getattr(memory, name), rtol=1e-10)
    np.testing.assert_allclose(chunked.predict(X), memory.predict(X), rtol=1e-10)


def test_numpy_y_columns_split_and_gradient_solver():
    X, y = data("poisson")
    memory = GLM("poisson").fit(X, y)
    chunked = GLM("poisson").fit(da.from_array(X, chunks=(300, 2)), y)  # columns are joined
    np.testing.assert_allclose(chunked.params_, memory.params_, rtol=0, atol=1e-10)
    memory = GLM("poisson", solver="gradient", max_iter=50, tol=1e-3).fit(X, y)
    chunked = GLM("poisson", solver="gradient", max_iter=50, tol=1e-3)
    chunked.fit(da.from_array(X, chunks=(500, 4)), y)
    np.testing.assert_allclose(chunked.params_, memory.params_, rtol=0, atol=1e-10)


def test_a_memory_mapped_npy_file(tmp_path):
    """The loading code a reader would write: a .npy file opened as a memory map."""
    X, y = data("bernoulli")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    X_disk = da.from_array(np.load(tmp_path / "X.npy", mmap_mode="r"), chunks=(256, -1))
    y_disk = da.from_array(np.load(tmp_path / "y.npy", mmap_mode="r"), chunks=256)
    chunked = GLM("bernoulli").fit(X_disk, y_disk)
    memory = GLM("bernoulli").fit(X, y)
    np.testing.assert_allclose(chunked.params_, memory.params_, rtol=0, atol=1e-10)


def test_nan_in_one_chunk_is_named():
    X, y = data("poisson")
    X[1234, 2] = np.nan
    with pytest.raises(ValueError, match=r"row chunk 4 \(rows 1200 to 1499\).*row 1234, column 2"):
        GLM("poisson").fit(da.from_array(X, chunks=(300, 4)), da.from_array(y, 300))


def test_y_outside_the_support_in_one_chunk_is_named():
    X, y = data("poisson")
    y[700] = -1.0
    with pytest.raises(ValueError, match=r"row chunk 2 \(rows 600 to 899\).*non-negative"):
        GLM("poisson").fit(da.from_array(X, chunks=(300, 4)), da.from_array(y, 300))


def test_mismatched_chunks_and_lengths():
    X, y = data("poisson")
    with pytest.raises(ValueError, match=r"chunked alike.*y.rechunk"):
        GLM("poisson").fit(da.from_array(X, chunks=(300, 4)), da.from_array(y, 400))
    with pytest.raises(ValueError, match="one entry per row of X"):
        GLM("poisson").fit(da.from_array(X, chunks=(300, 4)), da.from_array(y[:-1], 300))
    with pytest.raises(ValueError, match="one entry per row of X"):
        GLM("poisson").fit(da.from_array(X, chunks=(300, 4)), y[:-5])
    with pytest.raises(ValueError, match="scalar families only"):
        GLM("multinomial").fit(da.from_array(X, chunks=(300, 4)), (y > 1).astype(float))


def test_importing_glmnotes_does_not_import_dask():
    import subprocess
    import sys

    code = "import sys, glmnotes, glmnotes.glm; print('dask' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_npy_rows_reads_row_ranges_without_copying_the_file(tmp_path):
    from glmnotes.glm.dask_rows import NpyRows

    X, y = data("gamma")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    rows = NpyRows(tmp_path / "X.npy")
    assert rows.shape == X.shape and rows.dtype == X.dtype and not hasattr(rows, "copy")
    np.testing.assert_array_equal(rows[10:20], X[10:20])
    np.testing.assert_array_equal(rows[5:17:3, 1:3], X[5:17:3, 1:3])
    X_disk = da.from_array(rows, chunks=(256, -1), asarray=False)
    y_disk = da.from_array(NpyRows(tmp_path / "y.npy"), chunks=256, asarray=False)
    chunked = GLM("gamma", link="log").fit(X_disk, y_disk)
    memory = GLM("gamma", link="log").fit(X, y)
    np.testing.assert_allclose(chunked.params_, memory.params_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(chunked.bse_, memory.bse_, rtol=1e-10)
    import pickle

    np.testing.assert_array_equal(pickle.loads(pickle.dumps(rows))[0:3], X[0:3])
    np.save(tmp_path / "F.npy", np.asfortranarray(X))
    with pytest.raises(ValueError, match="Fortran-ordered"):
        NpyRows(tmp_path / "F.npy")


def test_an_active_distributed_client_is_used(tmp_path):
    """Not in requirements.lock (skipped there); checked by hand with distributed 2026.11."""
    distributed = pytest.importorskip("distributed")
    from glmnotes.glm.dask_rows import NpyRows

    X, y = data("poisson")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1) as client:
        X_disk = da.from_array(NpyRows(tmp_path / "X.npy"), chunks=(300, -1), asarray=False)
        y_disk = da.from_array(NpyRows(tmp_path / "y.npy"), chunks=300, asarray=False)
        chunked = GLM("poisson").fit(X_disk, y_disk)
        prefixes = client.run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.task_prefixes)
        )
    assert "_part" in prefixes or "part" in prefixes
    memory = GLM("poisson").fit(X, y)
    np.testing.assert_allclose(chunked.params_, memory.params_, rtol=0, atol=1e-10)
