"""BG/NBD and Gamma-Gamma, fitted and applied by the `lifetimes` library (README,
"Lifetime value", says why this one).

BG/NBD (Fader, Hardie and Lee, 2005) gives, from a customer's frequency, recency and age
T, the purchases expected in the next t days and the probability that they are still a
customer; Gamma-Gamma gives their expected spend per purchase from their repeat purchases'
average. Both are fitted by maximum likelihood on the summary frame of
`addons.analytics.ltv.summary` (times in days). Customers with the same frequency,
recency and T are fitted once, weighted by their number, so a million customers fit
about as fast as the distinct histories among them.

When the plain likelihood has no maximum the optimiser can reach (a few customers who
never seem to drop out send a and b off together), BG/NBD is fitted again with the
library's L2 penalty on its parameters, the smallest of `PENALTIES` that converges; the
penalty used is kept with the parameters.
"""
from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import numpy
    import pandas

__all__ = ["Models", "library", "fit", "expected_purchases", "probability_alive", "expected_spend", "MissingLibrary",
           "MIN_SPEND_CUSTOMERS", "PENALTIES"]

#: Repeat customers with a positive spend below which the spend model is not fitted.
MIN_SPEND_CUSTOMERS = 10
#: The penalties BG/NBD is fitted with, in turn, until one converges.
PENALTIES = (0.0, 0.001, 0.01, 0.1)


class MissingLibrary(RuntimeError):
    """The fitting library is not installed: the `ltv` extra of spectrum-erm brings it."""


def library() -> Any:
    """The `lifetimes` package (MissingLibrary without it); its import sets a pandas option
    pandas 3 deprecated."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*mode.chained_assignment.*")
            import lifetimes
    except ImportError as error:
        raise MissingLibrary("lifetime value needs the lifetimes library: pip install 'spectrum-erm[ltv]'") \
            from error
    return lifetimes


@dataclass(frozen=True)
class Models:
    """The fitted purchase model (BG/NBD) and spend model (Gamma-Gamma; None when too few
    repeat customers with a positive spend, or when the fitted q is at most 1, for which the
    expected spend is infinite)."""

    purchases: Any
    spend: Any | None

    def parameters(self) -> dict[str, float]:
        """r, alpha (days), a, b of BG/NBD, the penalty it was fitted with, and p, q, v of
        Gamma-Gamma (when fitted)."""
        found = {name: float(value) for name, value in self.purchases.params_.items()}
        found["penalty"] = float(self.purchases.penalizer_coef)
        if self.spend is not None:
            found |= {name: float(value) for name, value in self.spend.params_.items()}
        return found


def _weighted(summary: pandas.DataFrame, columns: list[str]) -> pandas.DataFrame:
    """The distinct rows of `columns` with how many customers share each (`weight`)."""
    return summary.groupby(columns, as_index=False).size().rename(columns={"size": "weight"})


def _fit_spend(lifetimes: Any, summary: pandas.DataFrame) -> Any | None:
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < MIN_SPEND_CUSTOMERS:
        return None
    spend = lifetimes.GammaGammaFitter()
    try:
        with _quiet():
            spend.fit(repeat["frequency"], repeat["monetary_value"])
    except lifetimes.utils.ConvergenceError:
        return None
    return spend if spend.params_["q"] > 1 else None


def fit(summary: pandas.DataFrame) -> Models:
    """Fit BG/NBD on the frequency, recency and T of `summary`, and Gamma-Gamma on its
    repeat customers' frequency and average spend."""
    lifetimes = library()
    return Models(_fit_purchases(lifetimes, summary), _fit_spend(lifetimes, summary))


def _bgnbd(lifetimes: Any, histories: pandas.DataFrame, penalty: float) -> Any:
    purchases = lifetimes.BetaGeoFitter(penalizer_coef=penalty)
    with _quiet():
        purchases.fit(histories["frequency"], histories["recency"], histories["T"], weights=histories["weight"])
    return purchases


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """A fit that prints nothing: the library prints the optimiser's report when it does not
    converge (the ConvergenceError it raises says it), and a starting point far from the
    optimum makes the log-likelihood overflow on the way (RuntimeWarnings)."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        yield


def _fit_purchases(lifetimes: Any, summary: pandas.DataFrame) -> Any:
    """BG/NBD with the smallest penalty of PENALTIES that converges."""
    histories = _weighted(summary, ["frequency", "recency", "T"])
    for penalty in PENALTIES[:-1]:
        try:
            return _bgnbd(lifetimes, histories, penalty)
        except lifetimes.utils.ConvergenceError:
            continue
    return _bgnbd(lifetimes, histories, PENALTIES[-1])


def expected_purchases(models: Models, summary: pandas.DataFrame, days: float) -> numpy.ndarray:
    """Each customer's expected purchases in the `days` after the summary's end."""
    return models.purchases.conditional_expected_number_of_purchases_up_to_time(
        days, summary["frequency"], summary["recency"], summary["T"]).to_numpy(dtype=float)


def probability_alive(models: Models, summary: pandas.DataFrame) -> numpy.ndarray:
    """Each customer's probability of still being a customer at the summary's end."""
    import numpy

    return numpy.asarray(models.purchases.conditional_probability_alive(
        summary["frequency"], summary["recency"], summary["T"]), dtype=float)


def expected_spend(models: Models, summary: pandas.DataFrame) -> numpy.ndarray | None:
    """Each customer's expected spend per purchase (the population's mean for a customer
    without repeat purchases), or None without a spend model."""
    if models.spend is None:
        return None
    return models.spend.conditional_expected_average_profit(
        summary["frequency"], summary["monetary_value"]).to_numpy(dtype=float)
