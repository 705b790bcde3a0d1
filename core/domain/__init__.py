"""The filter language: a small JSON domain compiled to one SQL expression."""
from core.domain.compiler import (USER_ID, DomainContext, DomainError, compile_domain, context_values, parse_domain,
                                  validate_domain)

__all__ = ["DomainContext", "DomainError", "compile_domain", "context_values", "parse_domain", "validate_domain",
           "USER_ID"]
