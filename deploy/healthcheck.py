"""Exit 0 when the web process on this host answers /healthz, 1 otherwise: the
container's health check (deploy/compose.yaml), and a model for a load balancer's.

The request names the first of ALLOWED_HOSTS as its host, as the load balancer must
(Django answers 400 to any other), and says it came over HTTPS, as the TLS proxy does.
"""

import os
import sys
import urllib.request

port = os.environ.get("PORT", "8000")
host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/healthz",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # any failure is "unhealthy"
    print(f"healthz: {error}", file=sys.stderr)
    sys.exit(1)
