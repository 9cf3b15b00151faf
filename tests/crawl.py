"""Walking the site as a browser would, by following the links of each page: the leak
test of the public pages and the language test of the signed-in ones both do."""

import re
from collections import deque
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from django.test import Client

# Links a walk must not follow: they act (sign-out, language) or lead off the site's pages.
SKIP = re.compile(r"^/(static/|i18n/|accounts/logout|admin/)")
HREF = re.compile(r"""(?:href|action)="([^"#]*)""")
URL_IN_JSON = re.compile(r'"(https?://testserver/[^"]*|/[^"]*)"')


def walk(
    client: Client, start: list[str], *, max_pages: int = 400, skip: re.Pattern = SKIP
) -> Iterator[tuple[str, object, str]]:
    """Every page reached from ``start``: (path, response, text), breadth first."""
    queue, seen = deque(start), set(start)
    while queue and len(seen) <= max_pages:
        path = queue.popleft()
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        yield path, response, text
        if response.status_code in (301, 302):
            links = [response["Location"]]
        elif "html" in response.get("Content-Type", ""):
            links = HREF.findall(text)
        elif "json" in response.get("Content-Type", ""):
            links = URL_IN_JSON.findall(text)
        else:
            links = []
        for link in links:
            url = urlsplit(urljoin(f"http://testserver{path}", link.replace("&amp;", "&")))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc == "testserver" and not skip.match(url.path) and target not in seen:
                seen.add(target)
                queue.append(target)
