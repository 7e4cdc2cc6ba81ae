"""The security header policy: inline script hashes, the CSP's directives, who gets what."""

from __future__ import annotations

import base64
import hashlib

from slotapp.core.security_headers import (
    content_security_policy,
    inline_scripts,
    origin,
    response_headers,
    script_hashes,
    websocket_origin,
)

PAGE = """<!DOCTYPE html><html><head>
<script>window.a = 1;</script>
<script defer="" src="/pwa.js"></script>
<script type="module" async="">import "/assets/x.js";
console.log("</div>");</script>
</head><body><style>.x{}</style><script>$RC("B:1","S:1")</script></body></html>"""


def directives(policy: str) -> dict[str, list[str]]:
    parts = [d.split() for d in policy.split(";")]
    return {p[0]: p[1:] for p in parts}


def test_inline_scripts_are_found_in_order_and_scripts_with_src_are_not() -> None:
    assert inline_scripts(PAGE) == [
        "window.a = 1;",
        'import "/assets/x.js";\nconsole.log("</div>");',
        '$RC("B:1","S:1")',
    ]


def test_a_hash_is_the_base64_sha256_of_the_exact_script_text() -> None:
    expected = base64.b64encode(hashlib.sha256(b"window.a = 1;").digest()).decode()
    assert f"'sha256-{expected}'" in script_hashes([PAGE])


def test_hashes_of_many_pages_are_deduplicated_and_sorted() -> None:
    hashes = script_hashes([PAGE, PAGE, "<script>other()</script>"])
    assert len(hashes) == 4 and hashes == sorted(hashes)
    assert script_hashes(["<p>no scripts</p>"]) == []


def test_the_policy_allows_own_scripts_and_the_hashed_ones_but_no_inline_script() -> None:
    policy = directives(
        content_security_policy(base_url="http://127.0.0.1:3000", script_hashes=["'sha256-A='"])
    )
    assert policy["script-src"] == ["'self'", "'unsafe-eval'", "'sha256-A='"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["worker-src"] == ["'self'"] and policy["manifest-src"] == ["'self'"]


def test_the_websocket_of_the_public_address_may_connect() -> None:
    http = directives(content_security_policy(base_url="http://127.0.0.1:3000"))
    assert http["connect-src"] == ["'self'", "http://127.0.0.1:3000", "ws://127.0.0.1:3000"]
    https = directives(content_security_policy(base_url="https://Slots.Example.com/"))
    assert https["connect-src"] == [
        "'self'",
        "https://slots.example.com",
        "wss://slots.example.com",
    ]


def test_forms_may_post_to_the_site_and_the_identity_provider_only() -> None:
    policy = directives(
        content_security_policy(
            base_url="https://slots.example.com",
            form_targets=["https://id.example.com/realms/acme", "javascript:alert(1)"],
        )
    )
    assert policy["form-action"] == [
        "'self'",
        "https://slots.example.com",
        "https://id.example.com",
    ]


def test_origins_of_odd_urls_are_empty() -> None:
    assert origin("ftp://x") == "" and origin("/relative") == "" and origin("") == ""
    assert websocket_origin("data:text/html,x") == ""
    assert origin("https://a.example:8443/p?q") == "https://a.example:8443"


def test_app_responses_get_the_full_set_without_hsts_on_plain_http() -> None:
    headers = dict(response_headers(path="/calendar", base_url="http://localhost:3000", csp="X"))
    assert headers == {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Content-Security-Policy": "X",
        "Permissions-Policy": headers["Permissions-Policy"],
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "SAMEORIGIN",
    }
    assert "camera=()" in headers["Permissions-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]


def test_hsts_only_when_the_public_address_is_https() -> None:
    headers = dict(response_headers(path="/", base_url="https://slots.example.com", csp="X"))
    assert headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_widget_and_chat_api_may_be_loaded_by_any_site() -> None:
    for path in ("/api/chat/v1/widget.js", "/api/chat/v1/widget/k/conversations"):
        headers = dict(response_headers(path=path, base_url="https://s.example", csp="X"))
        assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        for page_only in (
            "Content-Security-Policy",
            "X-Frame-Options",
            "Cross-Origin-Opener-Policy",
        ):
            assert page_only not in headers
    # Only under the chat API's prefix.
    assert "Content-Security-Policy" in dict(
        response_headers(path="/api/chat/v2x", base_url="http://a", csp="X")
    )
