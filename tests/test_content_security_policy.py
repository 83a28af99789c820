import re

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/accounts/password/",
        "/account/license-keys/",
        "/docs/api/",
        "/accounts/members/",
        "/accounts/members/invite/",
        "/accounts/provider/",
        "/accounts/provider/delete/",
        "/accounts/leave/",
    ],
)
def test_pages_send_a_strict_policy_and_carry_no_inline_code(alice_client, url):
    response = alice_client.get(url)

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert scripts
    assert all('src="/static/' in tag for tag in scripts)
    assert any(f'nonce="{nonce}"' in tag for tag in scripts)
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_login_page_uses_local_htmx_and_no_cdn(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert "/static/django_htmx/htmx" in html
    assert "https://" not in html
