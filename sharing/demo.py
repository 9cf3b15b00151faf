"""Demo notices for the embedded mode (``manage.py seed_demo``). Every company and
person in them is invented; they go through the services like real ones."""

from accounts.models import User
from sharing import services
from sharing.models import Notice

DEMO_NOTICES = [
    {
        "author": "dk-officer",
        "publish": True,
        "content": {
            "kind": "end_user_alert",
            "title": "Intrusion-software reseller seeking licences through a new subsidiary",
            "summary": (
                "A reseller of intrusion software whose licence applications were refused in "
                "two states has set up a subsidiary and is approaching other licensing "
                "authorities under its new name."
            ),
            "body": (
                "## What we saw\n\n"
                "The Danish Business Authority refused two applications in 2025 for remote "
                "access software matching **4A005** and **4D004**. In March 2026 a newly "
                "registered subsidiary applied for the same products, naming a different "
                "end-user.\n\n"
                "## Indicators\n\n"
                "- identical product descriptions and technical annexes;\n"
                "- the same director, listed under a transliterated name;\n"
                "- payment routed through a free-zone trading company.\n\n"
                "## Suggested checks\n\n"
                "Compare applications against the aliases below and ask for the ultimate "
                "end-user statement described in our end-use guidance."
            ),
            "categories": ["intrusion-software"],
            "control_codes": ["4A005", "4D004", "4E001.a"],
            "countries_of_concern": ["AE"],
            "entities": [
                {
                    "name": "Nimbus Intercept Solutions ApS",
                    "aliases": ["Nimbus Intercept", "NIS Nordic"],
                    "country": "DK",
                    "kind": "company",
                    "identifiers": ["CVR 00000000 (invented)"],
                    "notes": "Refused twice; parent of the new subsidiary.",
                },
                {
                    "name": "Stratus Data Trading FZE",
                    "aliases": ["Stratus DT"],
                    "country": "AE",
                    "kind": "broker",
                    "identifiers": [],
                    "notes": "Handles payments for the subsidiary.",
                },
            ],
            "severity": "high",
            "tlp": "amber",
            "audience": "subscribing",
        },
        "acknowledged_by": [("no-viewer", "assessed"), ("fi-officer", "received")],
        "comments": [
            (
                "no-officer",
                "We received an application from the subsidiary last month and "
                "are now holding it. Thank you.",
            ),
        ],
    },
    {
        "author": "no-officer",
        "publish": True,
        "content": {
            "kind": "technology_alert",
            "title": "IMSI catchers marketed as network test equipment",
            "summary": (
                "Cellular interception equipment is being offered under generic test-"
                "equipment descriptions that do not mention its interception functions."
            ),
            "body": (
                "Several brochures collected at trade fairs describe *network test "
                "platforms* whose specifications (active base-station emulation, subscriber "
                "identity capture, downgrade to 2G) match **5A001.f**.\n\n"
                "| Feature in brochure | What it means |\n"
                "| --- | --- |\n"
                "| Subscriber discovery | IMSI/IMEI capture |\n"
                "| Service continuity mode | forced 2G downgrade |\n"
            ),
            "categories": ["telecom-interception"],
            "control_codes": ["5A001.f"],
            "countries_of_concern": [],
            "entities": [],
            "severity": "moderate",
            "tlp": "green",
            "audience": "community",
        },
        "acknowledged_by": [("dk-officer", "received")],
        "comments": [],
    },
    {
        "author": "fr-officer",
        "publish": True,
        "content": {
            "kind": "diversion_alert",
            "title": "Lawful-interception software diverted through a distributor",
            "summary": (
                "A distributor bought monitoring-centre licences for a declared telecom "
                "operator customer; the operator denies having ordered them."
            ),
            "body": (
                "The licences were delivered to a systems integrator instead of the declared "
                "end-user. We share this with the states whose exporters supplied the same "
                "distributor."
            ),
            "categories": ["ip-network-surveillance", "telecom-interception"],
            "control_codes": ["5A001.j", "5D001.e"],
            "countries_of_concern": [],
            "entities": [
                {
                    "name": "Meridian Systems Distribution SARL",
                    "aliases": [],
                    "country": "FR",
                    "kind": "company",
                    "identifiers": [],
                    "notes": "Invented name for the demo.",
                }
            ],
            "severity": "critical",
            "tlp": "amber+strict",
            "audience": "selected",
            "recipient_states": ["DK", "DE", "NL"],
        },
        "acknowledged_by": [("de-viewer", "action_taken")],
        "comments": [],
    },
    {
        "author": "jp-officer",
        "publish": True,
        "content": {
            "kind": "risk_assessment",
            "title": "Social-media monitoring platforms: licensing risk assessment",
            "summary": (
                "How we assess applications for data analytics platforms that can profile "
                "people from social-media activity."
            ),
            "body": (
                "Applications for data analytics platforms increased this year. We look at "
                "the end-user's mandate, the oversight of its surveillance powers, and "
                "whether the product targets individuals.\n\n"
                "日本語の概要：ソーシャルメディア監視プラットフォームの輸出審査では、"  # noqa: RUF001
                "最終需要者の権限と監督体制を確認する。"
            ),
            "categories": ["data-analytics"],
            "control_codes": [],
            "countries_of_concern": [],
            "entities": [],
            "severity": "low",
            "tlp": "clear",
            "audience": "community",
        },
        "acknowledged_by": [],
        "comments": [],
    },
    {
        "author": "de-officer",
        "publish": False,
        "content": {
            "kind": "threat",
            "title": "Forensic extraction kits offered to a prison service",
            "summary": "Draft: still being checked with the customs investigators.",
            "body": "",
            "categories": ["forensic-extraction"],
            "control_codes": [],
            "countries_of_concern": [],
            "entities": [],
            "severity": "moderate",
            "tlp": "amber",
            "audience": "subscribing",
        },
        "acknowledged_by": [],
        "comments": [],
    },
]


def seed_notices() -> int:
    """Add the demo notices that are not there yet; returns how many were added."""
    added = 0
    for demo in DEMO_NOTICES:
        content = demo["content"]
        if Notice.objects.filter(title=content["title"]).exists():
            continue
        author = User.objects.filter(username=demo["author"]).first()
        if author is None:
            continue
        notice = services.create_draft(by=author, **content)
        if demo["publish"]:
            notice = services.publish_notice(notice, by=author)
            for username, level in demo["acknowledged_by"]:
                user = User.objects.get(username=username)
                services.acknowledge(notice, by=user, level=level)
            for username, body in demo["comments"]:
                services.add_comment(notice, by=User.objects.get(username=username), body=body)
        added += 1
    return added
