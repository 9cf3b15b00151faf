#!/usr/bin/env python3
"""An example client of the ECHRI Exchange REST API, for the integrator of a state's
licensing or case-management system. Read it top to bottom: each part is one thing
your system will need to do.

    me                 who the token acts for (a quick check that it works)
    post-and-publish   post a draft notice, then publish it
    poll               fetch what changed since the last poll, page by page
    verify-webhook     check the signature of a webhook delivery you received

It needs Python 3.11+ and two packages: ``pip install requests standardwebhooks``.
Configuration comes from the environment, so that the token never appears in a
command line or a shell history:

    ECHRI_URL    the portal's address, e.g. https://exchange.example.org
    ECHRI_TOKEN  a personal API token (the portal's "API tokens" page, or
                 ``python manage.py create_api_token USERNAME`` on the server)

Exit status: 0 on success, 1 when the portal (or the signature check) said no, 2 for
a mistake on the command line.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

import requests
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

# How long to wait for the portal to answer one request, in seconds.
TIMEOUT = 30
# How many times to ask again when the portal says "too many requests" (429).
MAX_ATTEMPTS = 5
# Never sleep longer than this for one Retry-After, whatever the header says.
MAX_WAIT = 300

# The notice `post-and-publish` sends when no --file is given. Every field is
# described in the OpenAPI document at <ECHRI_URL>/api/v1/docs/.
EXAMPLE_NOTICE = {
    "kind": "end_user_alert",  # threat, risk_assessment, end_user_alert, ...
    "title": "Reseller of intrusion software approaching licensing authorities",
    "summary": "A reseller is seeking export licences for onward sale of spyware.",
    "body": "## Background\n\nSeen at two trade fairs this spring.",  # Markdown
    "categories": ["intrusion-software"],  # technology category slugs
    "control_codes": ["4A005", "4D004"],
    "countries_of_concern": ["AE"],  # ISO 3166-1 alpha-2
    "entities": [{"name": "Nimbus Intercept Ltd", "country": "CY", "kind": "company"}],
    "severity": "high",  # low, moderate, high, critical
    "tlp": "green",  # TLP 2.0: clear, green, amber, amber+strict, red
    "audience": "subscribing",  # or "selected" with "recipient_states": ["NO", ...]
}


# --- Talking to the API ---------------------------------------------------------------------


class ApiError(Exception):
    """The portal answered, but not with success. ``str()`` says what went wrong in
    words a person can act on."""

    def __init__(self, status: int, body):
        self.status = status
        self.body = body  # the decoded JSON answer, or its text if it was not JSON
        super().__init__(describe_error(status, body))


def describe_error(status: int, body) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    if status == 400:
        # Bad input: {"field": ["message", ...]}, nested for lists and objects.
        lines = [f"  {field}: {message}" for field, message in field_errors(body)]
        return "The portal refused the request (400); nothing was changed:\n" + "\n".join(lines)
    if status == 401:
        return f"The token was refused (401): {detail}\nCheck ECHRI_TOKEN: expired or revoked?"
    if status == 403:
        return f"Not allowed (403): {detail}\nYour role or state may see this but not do it."
    if status == 404:
        # The portal answers 404 both for what does not exist and for what is not
        # shared with your state, so that it never reveals what it will not show.
        return f"Not found (404): {detail}\nIt does not exist, or it is not shared with you."
    if status == 429:
        return f"Too many requests (429), even after {MAX_ATTEMPTS} attempts: {detail}"
    return f"Unexpected answer ({status}): {str(body)[:500]}"


def field_errors(errors, path: str = ""):
    """Yield (field, message) for each message of a DRF error body, naming nested
    fields like ``entities[0].name`` and errors about no one field ``non_field_errors``."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{path}[{key}]" if key.isdigit() else f"{path}.{key}" if path else key
            yield from field_errors(value, name)
    elif isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        for message in errors:
            yield path or "error", message
    elif isinstance(errors, list):
        for index, item in enumerate(errors):  # one entry per item of a list of objects
            yield from field_errors(item, f"{path}[{index}]")
    else:
        yield path or "error", str(errors)


class Api:
    """A connection to the portal's API, acting with one token."""

    def __init__(self, base_url: str, token: str):
        base = base_url.rstrip("/")
        # Accept either the portal's address or the API's own.
        self.root = base + "/" if base.endswith("/api/v1") else base + "/api/v1/"
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": "echri-example-client/1",
            }
        )

    def call(self, method: str, path_or_url: str, *, json_body=None, params=None):
        """One API call; returns the decoded JSON answer (None for 204 No Content).

        A 429 is answered by waiting as long as the Retry-After header says and asking
        again. That is safe even for a POST: a throttled request is refused before
        anything is done. Any other failure raises ApiError.
        """
        url = path_or_url if "://" in path_or_url else self.root + path_or_url
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response = self.session.request(
                method, url, json=json_body, params=params, timeout=TIMEOUT
            )
            if response.status_code == 429 and attempt < MAX_ATTEMPTS:
                wait = retry_after(response)
                print(
                    f"Too many requests; waiting {wait:g} s before trying again.", file=sys.stderr
                )
                time.sleep(wait)
                continue
            break
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if not 200 <= response.status_code < 300:
            raise ApiError(response.status_code, body)
        return body

    def get(self, path_or_url: str, **params):
        return self.call("GET", path_or_url, params=params or None)

    def post(self, path: str, body=None):
        return self.call("POST", path, json_body=body)


def retry_after(response: requests.Response) -> float:
    """The seconds the portal asked us to wait (it sends a whole number)."""
    try:
        seconds = float(response.headers.get("Retry-After", "5"))
    except ValueError:
        seconds = 5.0
    return min(max(seconds, 1.0), MAX_WAIT)


# --- The commands ---------------------------------------------------------------------------


def show_me(api: Api, args) -> None:
    me = api.get("me/")
    state = me["state"]
    where = f"{state['name']} ({state['code']})" if state else "no state"
    print(f"{me['username']}: {me['role']} of {where}")


def post_and_publish(api: Api, args) -> None:
    content = read_json(args.file) if args.file else dict(EXAMPLE_NOTICE)
    if args.title:
        content["title"] = args.title

    # 1. The draft: only your state's officers and admins can see it.
    draft = api.post("notices/", content)
    print(f"Draft created: {draft['id']}")

    # 2. Publishing shares it with the audience and notifies their users; the notice
    #    now has a reference (<STATE>-<YEAR>-<NNNN>) and version 1.
    try:
        notice = api.post(f"notices/{draft['id']}/publish/")
    except ApiError:
        print(f"The draft {draft['id']} was kept; change it (PATCH) or delete it.", file=sys.stderr)
        raise
    print(
        f"Published: {notice['reference']} (version {notice['version']}, "
        f"TLP:{notice['tlp'].upper()}, audience {notice['audience']})"
    )
    print(f"Page for people: {notice['url']}")


def read_json(path: str):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"Cannot read {path} as JSON: {error}") from None


def poll(api: Api, args) -> None:
    """Fetch the notices changed since the last poll (new, amended or withdrawn).

    The list is newest change first, in pages linked by ``next``. We remember the
    newest ``updated_at`` we saw and ask for ``updated_since`` that next time. As
    ``updated_since`` means "at or after", the notices changed at exactly that
    instant come again: we remember them too, and skip them.
    """
    state_file = Path(args.state_file)
    saved = json.loads(state_file.read_text()) if state_file.exists() else {}
    since = args.since or saved.get("since")
    # The notices seen at the remembered instant, if we start from it.
    already = set(saved.get("seen_at_since", [])) if since == saved.get("since") else set()
    while True:
        try:
            since, already = poll_once(api, since, already, args.page_size)
        except (requests.RequestException, ApiError) as error:
            # Polling for ever: an outage or a server error is retried next round;
            # what will not get better by waiting (400, 401, 403, 404) stops us.
            if not args.every or (isinstance(error, ApiError) and error.status < 500):
                raise
            print(f"This round failed, trying again later: {error}", file=sys.stderr)
        else:
            # Saved only once the whole round was read, so that nothing is skipped.
            state_file.write_text(json.dumps({"since": since, "seen_at_since": sorted(already)}))
        if not args.every:
            return
        time.sleep(args.every)


def poll_once(api: Api, since: str | None, already: set[str], page_size: int | None):
    params = {"updated_since": since, "page_size": page_size}
    page = api.get("notices/", **{k: v for k, v in params.items() if v is not None})
    changed = []
    while True:
        changed += page["results"]
        if not page["next"]:
            break
        # Follow `next` exactly as given: it carries the filters and the cursor.
        page = api.get(page["next"])

    fresh = [n for n in changed if key(n) not in already]
    for notice in fresh:
        # A state's system would store or update the notice here, keyed by its id.
        print(
            f"{notice['updated_at']}  {notice['reference'] or '(draft)'}  "
            f"{notice['status']}  v{notice['version']}  {notice['title']}"
        )
    if not fresh:
        print("No changes.")

    if changed:
        newest = max(changed, key=lambda n: parse_time(n["updated_at"]))["updated_at"]
        if since is None or parse_time(newest) > parse_time(since):
            since, already = newest, set()
        already |= {key(n) for n in changed if parse_time(n["updated_at"]) == parse_time(since)}
    print(f"Newest change seen: {since or 'none yet'}")
    return since, already


def key(notice: dict) -> str:
    return f"{notice['id']}@{notice['updated_at']}"


def parse_time(value: str) -> datetime.datetime:
    # The API writes ISO 8601 with a time zone ("...Z" or "+00:00"); compare as times.
    return datetime.datetime.fromisoformat(value)


# --- Webhooks -------------------------------------------------------------------------------


def verify_delivery(secret: str, body: bytes, headers: dict[str, str]) -> dict:
    """Check a webhook delivery and return its payload, or raise WebhookVerificationError.

    Call this in your webhook endpoint with the raw request body (the bytes as
    received, before any JSON parsing) and the request headers. The portal signs
    each delivery per the Standard Webhooks specification: ``webhook-signature`` is
    an HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>" with your endpoint's
    secret (``whsec_...``, shown once when the webhook is registered). The check also
    refuses a timestamp more than five minutes away, so an old delivery cannot be
    replayed. A retried delivery keeps its ``webhook-id``: use it to ignore repeats.
    """
    return Webhook(secret).verify(body, headers)


def verify_webhook(args) -> int:
    headers = {}
    for header in args.header:
        # Split at the first colon: what follows is the value, whatever it holds.
        name, _colon, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        payload = verify_delivery(args.secret, Path(args.body_file).read_bytes(), headers)
    except WebhookVerificationError as error:
        print(f"Signature NOT valid ({error}): ignore this delivery.")
        return 1
    data = payload.get("data", {})
    print(f"Signature valid: {payload.get('type')} {payload.get('id')}")
    about = data.get("reference") or data.get("id")
    print(f"About: {data.get('object')} {about} {data.get('url')}")
    return 0


# --- The command line -----------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)

    commands.add_parser("me", help="who the token acts for").set_defaults(run=show_me)

    post = commands.add_parser("post-and-publish", help="post a draft notice and publish it")
    post.add_argument("--file", help="a JSON file with the notice (default: an example)")
    post.add_argument("--title", help="the title to use instead of the file's")
    post.set_defaults(run=post_and_publish)

    watch = commands.add_parser("poll", help="print the notices changed since the last poll")
    watch.add_argument("--since", help="ISO 8601 time to start from (default: the state file's)")
    watch.add_argument(
        "--state-file",
        default=".echri-poll.json",
        help="where the newest change seen is kept between polls (default: %(default)s)",
    )
    watch.add_argument("--page-size", type=int, help="notices per page (1 to 200)")
    watch.add_argument("--every", type=float, help="keep polling, every so many seconds")
    watch.set_defaults(run=poll)

    check = commands.add_parser("verify-webhook", help="check a webhook delivery's signature")
    check.add_argument(
        "--secret",
        default=os.environ.get("ECHRI_WEBHOOK_SECRET"),
        help="the endpoint's whsec_... secret (default: $ECHRI_WEBHOOK_SECRET)",
    )
    check.add_argument("--body-file", required=True, help="the delivery's body, byte for byte")
    check.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="a header of the delivery (webhook-id, webhook-timestamp, webhook-signature)",
    )
    return main


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if args.command == "verify-webhook":  # needs no token, only the secret
        if not args.secret:
            cli.error("give the endpoint's secret: --secret or $ECHRI_WEBHOOK_SECRET")
        if any(":" not in header for header in args.header):
            cli.error("--header takes NAME:VALUE")
        if not Path(args.body_file).is_file():
            cli.error(f"no such file: {args.body_file}")
        return verify_webhook(args)
    url, token = os.environ.get("ECHRI_URL"), os.environ.get("ECHRI_TOKEN")
    if not url or not token:
        cli.error("set ECHRI_URL (the portal's address) and ECHRI_TOKEN (your API token)")
    api = Api(url, token)
    try:
        args.run(api, args)
    except ApiError as error:
        print(error, file=sys.stderr)
        return 1
    except requests.RequestException as error:
        print(f"Cannot reach the portal at {api.root}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C ends `poll --every`
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
