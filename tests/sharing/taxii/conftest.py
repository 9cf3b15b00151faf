TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/echri/"


def collection_url(alias: str, tail: str = "objects/") -> str:
    return f"{ROOT}collections/{alias}/{tail}"


def get(api, url, **params):
    return api.get(url, params, HTTP_ACCEPT=TAXII)


def every_object(api, alias: str, *, tail: str = "objects/", **params) -> list[dict]:
    """Every object (or manifest record) of a collection for ``api``'s token, page by
    page, following ``next`` as a TAXII client does."""
    found: list[dict] = []
    query = dict(params)
    while True:
        response = get(api, collection_url(alias, tail), **query)
        assert response.status_code == 200, response.content
        body = response.json()
        found += body.get("objects", [])
        if not body["more"]:
            return found
        query = {**params, "next": body["next"]}


def reports(api, alias: str, **params) -> dict[str, list[dict]]:
    """The reports a reader gets, by the portal's reference or id: their versions."""
    found: dict[str, list[dict]] = {}
    for obj in every_object(api, alias, **{"match[type]": "report", **params}):
        found.setdefault(obj["external_references"][0]["external_id"], []).append(obj)
    return found
