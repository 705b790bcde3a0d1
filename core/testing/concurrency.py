"""Requests at the same moment, for tests of races against a live server (`live_server`).

    api = LiveApi(live_server, token)
    answers = at_once([lambda: api.send("PATCH", "/api/v1/accounts/1", {"version": 1, "city": "A"}),
                       lambda: api.send("PATCH", "/api/v1/accounts/1", {"version": 1, "city": "B"})])
    # [(200, {...}), (409, {...})] in some order

Real HTTP over real sockets (urllib), one thread per call, every thread released by the
same barrier, so the server sees the requests together as it would from many clients.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any, Callable

__all__ = ["LiveApi", "at_once"]


class LiveApi:
    """HTTP requests to a live server with a bearer token; safe to share between threads."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url, token

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """(status, the answer's JSON, or its text when it is not JSON, such as a server error page)."""
        request = urllib.request.Request(
            self.base_url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, _body(response)
        except urllib.error.HTTPError as error:
            return error.code, _body(error)


    def send_again_while_busy(self, method: str, path: str, body: Any = None, *,
                              attempts: int = 5) -> tuple[int, Any]:
        """`send`, sent again (up to `attempts` times) while the answer is a 503, as a client
        told "send it again" does: on SQLite a writer that waited for the write lock past
        `sqlite_busy_timeout_ms` (a loaded machine) is answered 503, which a race test
        should not take for the race's outcome."""
        for _attempt in range(attempts - 1):
            status, answer = self.send(method, path, body)
            if status != 503:
                return status, answer
        return self.send(method, path, body)


def _body(response: Any) -> Any:
    content = response.read()
    return json.loads(content) if "json" in response.headers.get("Content-Type", "") else content.decode()


def at_once(calls: list[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """Run each call in its own thread, all released at the same moment; their results
    in the order of `calls` (an exception a call raised stands for its result)."""
    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        gate.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - the test reads it as that call's outcome
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
