"""Text messages (SMS): the log, sending through a configured transport, and the
provider's webhooks (delivery status, inbound replies such as STOP)."""
