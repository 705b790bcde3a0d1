"""Hooks of the failing_migration fixture addon (it contributes nothing)."""
