"""The lifetime-value models on a synthetic population of 20,000 customers drawn from
known BG/NBD and Gamma-Gamma parameters: the fit finds BG/NBD's four again within 10%,
and Gamma-Gamma's q and mean spend (p and v, which move together, are not pinned
separately by 20,000 customers: each may be 15% off while their product is right), in seconds."""
from __future__ import annotations

from time import perf_counter

import numpy
import pandas
import pytest

from addons.analytics.ltv.compute import Settings
from addons.analytics.ltv.fitting import expected_purchases, expected_spend, fit, probability_alive

#: Purchase rates ~ Gamma(r, alpha) per day, dropout probabilities ~ Beta(a, b); spend per
#: purchase ~ Gamma(p, nu) with nu ~ Gamma(q, v) per customer.
PURCHASES = {"r": 0.5, "alpha": 30.0, "a": 0.8, "b": 2.5}
SPEND = {"p": 6.0, "q": 4.0, "v": 15.0}


def draw_population(size: int, seed: int) -> pandas.DataFrame:
    """`size` customers aged 1 to 3 years, as BG/NBD draws them: Poisson purchases until
    they drop out, which they do after each repeat purchase with their probability."""
    rng = numpy.random.default_rng(seed)
    rate = rng.gamma(PURCHASES["r"], 1 / PURCHASES["alpha"], size)
    dropout = rng.beta(PURCHASES["a"], PURCHASES["b"], size)
    age = rng.uniform(365, 1095, size)
    purchases_if_alive = rng.poisson(rate * age)
    frequency = numpy.minimum(rng.geometric(dropout), purchases_if_alive)
    # The last of `frequency` purchases among `purchases_if_alive` uniform on the age.
    last = age * rng.beta(numpy.maximum(frequency, 1), numpy.maximum(purchases_if_alive - frequency + 1, 1))
    recency = numpy.where(frequency > 0, last, 0.0)
    nu = rng.gamma(SPEND["q"], 1 / SPEND["v"], size)
    spend = numpy.where(frequency > 0, rng.gamma(SPEND["p"] * numpy.maximum(frequency, 1),
                                                 1 / (nu * numpy.maximum(frequency, 1))), 0.0)
    return pandas.DataFrame({"frequency": frequency, "recency": recency, "T": age, "monetary_value": spend})


def test_twenty_thousand_customers_give_back_their_parameters_within_ten_percent() -> None:
    population = draw_population(20_000, seed=2026)
    started = perf_counter()
    models = fit(population)
    seconds = perf_counter() - started
    found = models.parameters()
    off = {name: found[name] / true - 1 for name, true in PURCHASES.items()}
    off["q"] = found["q"] / SPEND["q"] - 1
    off["mean spend"] = (found["p"] * found["v"] / (found["q"] - 1)) / (SPEND["p"] * SPEND["v"] / (SPEND["q"] - 1)) - 1
    assert all(abs(error) < 0.10 for error in off.values()), off
    assert seconds < 30, f"the fit of 20,000 customers took {seconds:.1f} s"
    alive = probability_alive(models, population)
    assert ((alive >= 0) & (alive <= 1)).all()
    # A customer who bought often and lately is expected to buy more than one gone quiet.
    frame = pandas.DataFrame({"frequency": [10, 10], "recency": [700.0, 100.0], "T": [720.0, 720.0],
                              "monetary_value": [50.0, 50.0]})
    soon = expected_purchases(models, frame, 365)
    assert soon[0] > 5 * soon[1]
    spend = expected_spend(models, frame)
    assert spend is not None and numpy.isfinite(spend).all()


@pytest.mark.parametrize("days", [(0, 180, 365), (1095, -1, 365), (1095, 180, 0)])
def test_a_window_of_no_days_is_refused_with_the_setting_named(days: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError, match="analytics_ltv_(calibration|holdout|horizon)_days: give a number"):
        Settings(*days)
