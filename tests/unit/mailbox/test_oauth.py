"""OAuth2 tokens: kept owner-only, refreshed before they expire with a refresh token that rotates, the
device-code flow waited through, and every refusal told in French with what to do."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cpambot.config.model import OAuthSettings
from cpambot.errors import AuthenticationError, MailboxError
from cpambot.mailbox.oauth import (
    DeviceCode,
    Tokens,
    access_token,
    finish_device_login,
    load_tokens,
    post_form,
    save_tokens,
    start_device_login,
)

NOW = 1_800_000_000.0


def settings(tmp_path: Path) -> OAuthSettings:
    return OAuthSettings("client-1", "https://idp.example/device", "https://idp.example/token",
                         ("offline_access", "imap"), tmp_path / "oauth" / "pro.json")


class Idp:
    """Answers as a token endpoint would, and remembers what was asked."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url, form):
        self.asked.append((url, form))
        return self.answers.pop(0)


def test_tokens_are_kept_owner_only(tmp_path):
    """GIVEN tokens WHEN saved THEN the file is readable by its owner only, and reads back the same."""
    path = tmp_path / "oauth" / "pro.json"
    save_tokens(path, Tokens("A", "R", NOW))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_tokens(path) == Tokens("A", "R", NOW)


def test_a_valid_token_is_used_as_it_is(tmp_path):
    """GIVEN an access token valid for an hour WHEN a connection needs one THEN it is given, nobody asked."""
    oauth = settings(tmp_path)
    save_tokens(oauth.token_file, Tokens("A", "R", NOW + 3600))
    idp = Idp()
    assert access_token("pro", oauth, post=idp, now=lambda: NOW) == "A" and idp.asked == []


def test_a_token_about_to_expire_is_refreshed_and_the_refresh_token_rotated(tmp_path):
    """GIVEN an access token expiring in two minutes WHEN a connection needs one THEN the refresh token is
    sent to the token endpoint with the client and the scopes, and the new tokens are saved — the new
    refresh token in place of the old; an answer without one keeps the old."""
    oauth = settings(tmp_path)
    save_tokens(oauth.token_file, Tokens("A", "R", NOW + 120))
    idp = Idp({"access_token": "B", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "R2"},
              {"access_token": "C", "token_type": "Bearer", "expires_in": 10})
    assert access_token("pro", oauth, post=idp, now=lambda: NOW) == "B"
    url, form = idp.asked[0]
    assert url == "https://idp.example/token"
    assert form == {"grant_type": "refresh_token", "client_id": "client-1", "scope": "offline_access imap",
                    "refresh_token": "R"}
    saved = load_tokens(oauth.token_file)
    assert saved is not None and (saved.access_token, saved.refresh_token) == ("B", "R2")
    save_tokens(oauth.token_file, Tokens("B", "R2", NOW))
    assert access_token("pro", oauth, post=idp, now=lambda: NOW) == "C"
    assert load_tokens(oauth.token_file).refresh_token == "R2"  # type: ignore[union-attr]


def test_a_refused_refresh_tells_her_to_sign_in_again(tmp_path):
    """GIVEN a refresh token the provider revoked WHEN a connection needs a token THEN an authentication
    error in French names the account and the command; no tokens at all says so too."""
    oauth = settings(tmp_path)
    with pytest.raises(AuthenticationError, match=r"« pro » : pas encore de connexion OAuth2.*login pro"):
        access_token("pro", oauth, post=Idp(), now=lambda: NOW)
    save_tokens(oauth.token_file, Tokens("A", "R", NOW - 1))
    idp = Idp({"error": "invalid_grant", "error_description": "AADSTS70008: expired"})
    with pytest.raises(AuthenticationError, match=r"renouvellement.*refusé \(invalid_grant\).*login pro"):
        access_token("pro", oauth, post=idp, now=lambda: NOW)


def test_the_device_flow_waits_for_her_and_saves_the_tokens(tmp_path):
    """GIVEN a device code WHEN the endpoint answers « pending », then « slow down », then the tokens THEN
    it waits the interval (longer after « slow down ») and saves the tokens; a refusal or an expired code
    is told in French."""
    oauth = settings(tmp_path)
    start = Idp({"device_code": "D", "user_code": "AB-12", "verification_uri": "https://idp.example/go",
                 "expires_in": 900, "interval": 5})
    code = start_device_login(oauth, post=start, now=lambda: NOW)
    assert (code.user_code, code.verification_uri, code.interval) == ("AB-12", "https://idp.example/go", 5)
    assert start.asked == [("https://idp.example/device", {"client_id": "client-1",
                                                          "scope": "offline_access imap"})]
    waits: list[float] = []
    idp = Idp({"error": "authorization_pending"}, {"error": "slow_down"},
              {"access_token": "A", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "R"})
    tokens = finish_device_login("pro", oauth, code, post=idp, sleep=waits.append, now=lambda: NOW)
    assert waits == [5, 10] and tokens.refresh_token == "R" and load_tokens(oauth.token_file) == tokens
    assert idp.asked[0][1]["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    with pytest.raises(AuthenticationError, match="vous avez refusé l'accès"):
        finish_device_login("pro", oauth, code, post=Idp({"error": "access_denied"}), sleep=waits.append,
                            now=lambda: NOW)
    late = DeviceCode("D", "AB-12", "https://idp.example/go", 5, NOW - 1)
    with pytest.raises(AuthenticationError, match="pas été saisi à temps"):
        finish_device_login("pro", oauth, late, post=Idp(), sleep=waits.append, now=lambda: NOW)


def test_an_endpoint_without_https_is_refused_unless_on_this_machine():
    """GIVEN a token endpoint in plain HTTP elsewhere than on this machine WHEN asked THEN refused before
    anything is sent."""
    with pytest.raises(MailboxError, match="HTTPS obligatoire"):
        post_form("http://idp.example/token", {"a": "b"})


def test_a_passing_trouble_of_the_provider_is_tried_again_not_a_new_sign_in(tmp_path):
    """GIVEN an expired access token WHEN the token endpoint answers « temporarily_unavailable » THEN a
    mailbox error (tried again at the next poll), not a demand to sign in again."""
    oauth = settings(tmp_path)
    save_tokens(oauth.token_file, Tokens("A", "R", NOW - 1))
    with pytest.raises(MailboxError, match="nouvel essai à la prochaine relève"):
        access_token("pro", oauth, post=Idp({"error": "temporarily_unavailable"}), now=lambda: NOW)


def test_two_connections_at_once_refresh_once(tmp_path):
    """GIVEN an expired token and a provider whose refresh tokens work once WHEN the mailbox job and the
    outbox ask for a token at the same moment THEN one refreshes and the other uses what it saved: both
    get the same valid token, the provider is asked once."""
    import threading
    import time

    oauth = settings(tmp_path)
    save_tokens(oauth.token_file, Tokens("A", "R", time.time() - 1))  # (real time: the new token's is)
    asked: list[str] = []

    def post(url, form):
        asked.append(form["refresh_token"])
        time.sleep(0.2)  # (the provider is slow: the other connection arrives meanwhile)
        if form["refresh_token"] != "R":
            return {"error": "invalid_grant"}
        return {"access_token": "B", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "R2"}
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(access_token("pro", oauth, post=post)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["B", "B"] and asked == ["R"]


def test_a_damaged_token_file_says_so(tmp_path):
    """GIVEN a token file cut in the middle WHEN a token is needed THEN an error in French says the tokens
    are damaged and how to sign in again (not « not signed in yet »)."""
    oauth = settings(tmp_path)
    oauth.token_file.parent.mkdir(parents=True)
    oauth.token_file.write_text('{"access_token": "A", "refre')
    with pytest.raises(AuthenticationError, match="jetons OAuth2 abîmés.*cpambot login"):
        access_token("pro", oauth, post=Idp(), now=lambda: NOW)
