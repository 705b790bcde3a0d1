"""The REST API generated from model metadata (`/api/v1/<resource>`)."""
