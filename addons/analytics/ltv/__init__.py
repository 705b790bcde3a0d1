"""Lifetime value and churn risk: BG/NBD and Gamma-Gamma fitted on the purchase facts,
their backtest, membership renewal probabilities, and the page that shows them."""
