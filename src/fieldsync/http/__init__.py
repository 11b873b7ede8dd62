"""Shared HTTP plumbing for adapters: retrying temporary failures and pacing under rate limits.

- :class:`RetryPolicy`: which errors to retry, how often, and how long to wait.
- :class:`RateLimiter`: a pure calculator of when the next call may go under several
  sliding windows; :class:`Pacer` does the waiting on a clock.
- :class:`CircuitBreaker`: stops calling a service that keeps failing after its retries.

See ``docs/http.md`` for the rules and for turning waiting off in tests.
"""

from fieldsync.http.breaker import CircuitBreaker
from fieldsync.http.ratelimit import Pacer, RateLimiter
from fieldsync.http.retry import RetryPolicy

__all__ = ["CircuitBreaker", "Pacer", "RateLimiter", "RetryPolicy"]
