"""Demo notices, best practices, licence denials, a consultation and advisories for
industry for the embedded
mode (``manage.py seed_demo``). Every company and person in them is invented; they go
through the services like real ones."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from sharing.advisories import contacts
from sharing.advisories import services as advisories
from sharing.advisories.models import Advisory, Contact, DisseminationList
from sharing.denials import services as denials
from sharing.denials.models import Consultation, Denial, DenialParty
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.practices import comment_windows
from sharing.practices import services as practices
from sharing.practices.models import BestPractice
from sharing.registry import services as registry
from sharing.registry.choices import LinkStatus, RelationKind
from sharing.registry.models import Relation
from sharing.screening import services as screening
from sharing.screening import services as watches
from sharing.screening.models import Watch

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
                    "identifiers": ["registration AE FZ-000000 (invented)"],
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
        # Redact, then share wider: first told to Denmark alone, naming its source and
        # with the liaison report attached; then the source line and the report were
        # taken out, the marking lowered and every subscribing state told. Denmark
        # (dk-viewer) still reads version 1 and its file; France (fr-viewer) sees only
        # version 2.
        "author": "no-officer",
        "publish": True,
        "files": [
            (
                "Liaison report.txt",
                b"Liaison report (invented for the demo): meeting with a contact at the "
                b"reseller's former bank, Oslo, 2 November 2026.\n",
            )
        ],
        "content": {
            "kind": "diversion_alert",
            "title": "IMSI catchers re-exported through a Baltic freight forwarder",
            "summary": (
                "Interception equipment licensed for a police force was found in a freight "
                "forwarder's consignment bound for a third country."
            ),
            "body": (
                "## What we saw\n\n"
                "Two IMSI catchers (**5A001.f**) licensed for a European police force were "
                "shipped on through a freight forwarder within weeks of delivery.\n\n"
                "Source: a contact at the forwarder's former bank, met in Oslo on 2 "
                "November 2026 (see the liaison report)."
            ),
            "categories": ["telecom-interception"],
            "control_codes": ["5A001.f"],
            "countries_of_concern": [],
            "entities": [{"name": "Nordlys Freight Forwarding OÜ", "country": "EE"}],
            "severity": "high",
            "tlp": "amber+strict",
            "audience": "selected",
            "recipient_states": ["DK"],
        },
        "amendment": {
            "change_note": (
                "Source and liaison report removed; shared with every subscribing state."
            ),
            "material": True,
            "remove_files": True,
            "body": (
                "## What we saw\n\n"
                "Two IMSI catchers (**5A001.f**) licensed for a European police force were "
                "shipped on through a freight forwarder within weeks of delivery."
            ),
            "tlp": "green",
            "audience": "subscribing",
            "recipient_states": [],
        },
        "acknowledged_by": [],
        "comments": [],
    },
    {
        # Germany asks for four eyes: submitted by its officer, awaiting its admin.
        "author": "de-officer",
        "publish": "submit",
        "content": {
            "kind": "threat",
            "title": "Forensic extraction kits offered to a prison service",
            "summary": "Checked with the customs investigators; awaiting a second look.",
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


def _not_seeded(demos, model):
    """The demo items whose title is not in the database yet, each with its author.

    Seeding twice adds nothing; an item whose author is missing (a trimmed demo) is
    passed over."""
    for demo in demos:
        if model.objects.filter(title=demo["content"]["title"]).exists():
            continue
        author = User.objects.filter(username=demo["author"]).first()
        if author is not None:
            yield demo, author


def _published(service, item, author):
    """Publish a demo item as its state's policy has it: alone, or (Germany asks for four
    eyes) submitted by its author and approved by the state's admin."""
    if not service.needs_approval(item, "publish"):
        return service.publish(item, by=author)
    service.submit(item, by=author)
    return service.approve(item, by=User.objects.get(username=f"{author.state_id.lower()}-admin"))


def seed_notices() -> int:
    """Add the demo notices that are not there yet; returns how many were added."""
    added = 0
    for demo, author in _not_seeded(DEMO_NOTICES, Notice):
        content = demo["content"]
        files = [SimpleUploadedFile(name, data) for name, data in demo.get("files", [])]
        notice = notices.create(by=author, attachments=files, **content)
        if demo["publish"] == "submit":  # awaiting approval: the dashboard of de-admin
            notices.submit(notice, by=author)
        elif demo["publish"]:
            notice = _published(notices, notice, author)
            if "amendment" in demo:
                amendment = dict(demo["amendment"])
                if amendment.pop("remove_files", False):
                    amendment["remove_attachments"] = list(notice.attachments.current())
                notice = notices.amend(notice, by=author, **amendment)
            for username, level in demo["acknowledged_by"]:
                user = User.objects.get(username=username)
                notices.acknowledge(notice, by=user, level=level)
            for username, body in demo["comments"]:
                notices.comment(notice, by=User.objects.get(username=username), body=body)
        added += 1
    return added


def _practice(
    author,
    title,
    doc_type,
    topics,
    summary,
    body,
    *,
    audience="subscribing",
    public=False,
    co_authors=(),
    endorsed_by=(),
):
    return {
        "author": author,
        "content": {
            "title": title,
            "summary": summary,
            "body": body,
            "doc_type": doc_type,
            "topics": list(topics),
            "co_authors": list(co_authors),
            "audience": audience,
            "public": public,
        },
        "endorsed_by": list(endorsed_by),
    }


DEMO_PRACTICES = [
    _practice(
        "no-officer",
        "End-use checks for IP network surveillance systems",
        "checklist",
        ["end-use-checks", "licensing"],
        "The questions Norway asks before licensing monitoring centres and what it "
        "verifies after delivery.",
        "## Before the licence\n\n1. Ask for the network diagram and the operator's "
        "mandate.\n2. Identify who will operate the system, and under which legal "
        "authority.\n\n## After delivery\n\nA post-shipment visit within six months, "
        "with the operator's logs of installed capacity.",
        co_authors=["DK"],
        audience="community",
        public=True,
        endorsed_by=[("fi-officer", "adopted"), ("ee-admin", "endorsed")],
    ),
    _practice(
        "dk-officer",
        "Human-rights risk assessment in licence applications",
        "guidance",
        ["human-rights-due-diligence", "licensing"],
        "How Denmark weighs the risk of serious human-rights violations when it assesses "
        "an application for cyber-surveillance items.",
        "## Sources\n\nUN special procedures, the state's own human-rights reports, and "
        "civil-society documentation.\n\n## Weighing\n\nThe end-user's record, the "
        "oversight of its surveillance powers, and the item's capacity to target "
        "individuals.",
        endorsed_by=[("no-admin", "endorsed"), ("nl-officer", "adopted"), ("fr-admin", "endorsed")],
    ),
    _practice(
        "us-officer",
        "Briefing industry on the Code of Conduct",
        "training",
        ["industry-outreach"],
        "A one-day course for exporters of surveillance technology on the Code, "
        "red flags and voluntary disclosure.",
        "The course has four modules: the Code and its commitments; recognising red "
        "flags; due diligence on end-users; and how to contact the authority.",
        audience="community",
        public=True,
        endorsed_by=[("ca-officer", "adopted")],
    ),
    _practice(
        "fr-officer",
        "Investigating unlicensed exports of interception software",
        "case_study",
        ["enforcement"],
        "How customs and the licensing authority traced a software export made through "
        "cloud downloads.",
        "The software was delivered as a download, not a shipment. The investigation "
        "relied on payment records and licence-key activations.",
    ),
    _practice(
        "de-officer",
        "Catch-all clause for cyber-surveillance items",
        "legislation",
        ["legislation", "licensing"],
        "The text and use of a catch-all provision covering unlisted surveillance items "
        "when the exporter is informed of a risk of misuse.",
        "Article 5 of the EU dual-use regulation allows licensing of unlisted "
        "cyber-surveillance items where there is a risk of use in connection with "
        "internal repression or serious violations of human rights.",
        co_authors=["NL", "FR"],
        endorsed_by=[("es-officer", "endorsed")],
    ),
    _practice(
        "jp-officer",
        "ソーシャルメディア分析ツールの審査手順",
        "guidance",
        ["licensing", "technical-controls"],
        "How Japan classifies and reviews applications for social-media analytics "
        "platforms (in Japanese, with an English summary).",
        "## 概要\n\nソーシャルメディア監視プラットフォームの輸出審査では、最終需要者の"
        "権限と監督体制を確認する。\n\n## English summary\n\nReview the end-user's "
        "mandate and oversight before any licence.",
        audience="community",
    ),
    _practice(
        "kr-officer",
        "감시 기술 수출 허가 심사 체크리스트",
        "checklist",
        ["licensing", "end-use-checks"],
        "The Republic of Korea's checklist for surveillance technology licences (in "
        "Korean, with an English summary).",
        "감시 기술 수출 허가 심사에서 최종 사용자와 사용 목적을 확인한다.\n\n"
        "English summary: confirm the end-user and the purpose before licensing.",
    ),
    _practice(
        "gb-officer",
        "Template: end-user undertaking for surveillance items",
        "template",
        ["end-use-checks"],
        "A model undertaking in which the end-user commits to the declared use and to "
        "on-site verification.",
        "The undertaking names the items, the declared use, the locations, and the "
        "right of the licensing authority to verify on site.",
        audience="community",
        public=True,
    ),
    _practice(
        "ca-officer",
        "Controlling biometric recognition exports",
        "guidance",
        ["technical-controls", "human-rights-due-diligence"],
        "Which biometric systems Canada reviews, and the questions it asks about "
        "deployment in public spaces.",
        "Facial recognition deployed in public spaces raises the highest risk; ask "
        "about retention, watch lists and judicial oversight.",
    ),
    _practice(
        "ee-officer",
        "Helping a new licensing authority get started",
        "guidance",
        ["capacity-building"],
        "What Estonia offers states that are setting up export controls for "
        "cyber-surveillance items.",
        "Mentoring by licensing officers, shared training material, and a review of "
        "draft legislation.",
        audience="community",
        public=True,
    ),
    _practice(
        "nl-officer",
        "Classifying intrusion software under 4A005 and 4D004",
        "guidance",
        ["technical-controls"],
        "Worked examples of what the intrusion-software entries cover, and what they "
        "leave out (vulnerability disclosure, penetration testing).",
        "Exploits alone are not controlled; software specially designed for the "
        "generation, command and control, or delivery of intrusion software is.",
    ),
    _practice(
        "au-officer",
        "Post-shipment verification by video",
        "case_study",
        ["end-use-checks", "enforcement"],
        "Lessons from verifying installations remotely when travel was not possible.",
        "Video inspections worked when the authority set the route through the site "
        "and asked for serial numbers live.",
    ),
]


def seed_practices() -> int:
    """Add the demo best practices that are not there yet; returns how many."""
    added = 0
    for demo, author in _not_seeded(DEMO_PRACTICES, BestPractice):
        practice = practices.create(by=author, **demo["content"])
        practice = _published(practices, practice, author)
        for username, kind in demo["endorsed_by"]:
            user = User.objects.get(username=username)
            practices.endorse(practice, by=user, kind=kind)
        added += 1
    return added


# Dates are counted back from the day the demo is seeded, so that the denials are in
# force and the consultation is open whenever that is.
DEMO_DENIALS = [
    {
        # Germany asks for four eyes on denials: submitted, awaiting de-admin.
        "author": "de-officer",
        "days_ago": 5,
        "submit": True,
        "content": {
            "national_reference": "DE-BAFA-2026-0311",
            "control_entry": "5A001.j",
            "catch_all": False,
            "item_description": "Lawful-interception management system with data retention.",
            "end_use": "Interception of mobile networks by an internal security service.",
            "reason_category": "internal_repression",
            "reason": "The end-user's record of surveilling opposition figures.",
            "parties": [
                {
                    "role": "end_user",
                    "name": "Directorate of Internal Communications",
                    "aliases": [],
                    "address": "",
                    "country": "BY",
                },
            ],
        },
    },
    {
        "author": "dk-officer",
        "days_ago": 40,
        "content": {
            "national_reference": "DK-EKS-2026-0117",
            "control_entry": "5A001.j",
            "catch_all": False,
            "item_description": (
                "IP network surveillance system with deep packet inspection and a "
                "monitoring centre for 40 Gbit/s backbone links."
            ),
            "end_use": "Monitoring of the national telecommunications backbone.",
            "reason_category": "human_rights",
            "reason": (
                "Serious risk of use against journalists, lawyers and human-rights "
                "defenders: the end-user's mandate has no judicial oversight."
            ),
            "parties": [
                {
                    "role": "end_user",
                    "name": "Orbis Analytics FZE",
                    "aliases": ["Orbis Data Analytics", "OA Free Zone Establishment"],
                    "address": "Free Zone Building 7, Office 412",
                    "country": "AE",
                },
                {
                    "role": "consignee",
                    "name": "Stratus Data Trading LLC",
                    "aliases": ["Stratus DT"],
                    "address": "",
                    "country": "AE",
                },
            ],
        },
        "amendment": {
            "change_note": "The consignee's trading name added after a second application.",
            "end_use": "Monitoring of the national telecommunications backbone and of "
            "mobile data at the border.",
        },
    },
    {
        "author": "no-officer",
        "days_ago": 120,
        "content": {
            "national_reference": "NO-2026/0031",
            "control_entry": "",
            "catch_all": True,
            "item_description": (
                "Social-media analytics platform that builds profiles of individuals from "
                "their public posts and contacts (non-listed)."
            ),
            "end_use": "Public-order intelligence for a ministry of the interior.",
            "reason_category": "internal_repression",
            "reason": "Risk of use to identify and detain peaceful protesters.",
            "tlp": "amber+strict",
            "parties": [
                {
                    "role": "end_user",
                    "name": "Directorate of Public Order Intelligence",
                    "aliases": [],
                    "address": "",
                    "country": "BY",
                },
            ],
        },
    },
    {
        "author": "jp-officer",
        "days_ago": 75,
        "content": {
            "national_reference": "JP-METI-2026-0088",
            "control_entry": "5A001.f",
            "catch_all": False,
            "item_description": (
                "Cellular interception system (IMSI catcher) with active base-station emulation."
            ),
            "end_use": "Declared as network test equipment for a telecom operator.",
            "reason_category": "diversion",
            "reason": (
                "The declared operator denies having ordered it; risk of diversion to a "
                "security service."
            ),
            "parties": [
                {
                    "role": "end_user",
                    "name": "東亜通信監視システム株式会社",
                    "aliases": ["Toa Tsushin Kanshi Systems KK", "Toa Signal Monitoring"],
                    "address": "",
                    "country": "MM",
                },
            ],
        },
    },
]

DEMO_CONSULTATION = {
    "denial": ("DK", "DK-EKS-2026-0117"),
    "author": "fi-officer",
    "content": {
        "application_reference": "FI-VTT-2026-204",
        "end_user": "Orbis Data Analytics",
        "consignee": "Stratus DT",
        "destination": "AE",
        "control_entry": "5A001.j",
        "item_description": "Packet-inspection probes and analysis software, 10 units.",
        "question": (
            "A Finnish exporter applies to supply probes to the same end-user. Is this "
            "essentially identical to the transaction Denmark denied?"
        ),
    },
    "message": (
        "dk-officer",
        "Thank you. We are comparing the technical annex with our file and will answer "
        "within the deadline.",
    ),
}


def seed_denials() -> tuple[int, int]:
    """Add the demo denials and the open consultation that are not there yet; returns
    how many of each were added."""
    added = 0
    today = timezone.localdate()
    for demo in DEMO_DENIALS:
        author = User.objects.filter(username=demo["author"]).first()
        reference = demo["content"]["national_reference"]
        if (
            author is None
            or Denial.objects.filter(
                state_id=author.state_id, national_reference=reference
            ).exists()
        ):
            continue
        decided_on = today - datetime.timedelta(days=demo["days_ago"])
        if demo.get("submit") and denials.requires_four_eyes(author.state):
            denials.submit_new(by=author, decided_on=decided_on, **demo["content"])
            added += 1
            continue
        denial = denials.publish(by=author, decided_on=decided_on, **demo["content"])
        if "amendment" in demo:
            denials.amend(denial, by=author, **demo["amendment"])
        added += 1
    return added, _seed_consultation()


def _seed_consultation() -> int:
    demo = DEMO_CONSULTATION
    author = User.objects.filter(username=demo["author"]).first()
    state, reference = demo["denial"]
    denial = Denial.objects.filter(state_id=state, national_reference=reference).first()
    if author is None or denial is None:
        return 0
    application = demo["content"]["application_reference"]
    if Consultation.objects.filter(
        consulting_state_id=author.state_id, application_reference=application
    ).exists():
        return 0
    consultation = denials.open_consultation(denial, by=author, **demo["content"])
    username, body = demo["message"]
    writer = User.objects.filter(username=username).first()
    if writer is not None:
        denials.write_in_consultation(consultation, by=writer, body=body)
    return 1


# A watched application of Finland's: screened with no hit, then matched by a denial
# Denmark notifies after it, so that fi-officer's inbox holds the new match.
DEMO_WATCH = {
    "author": "fi-officer",
    "screened": {
        "end_user": "Helios Monitoring Solutions",
        "destination": "AE",
        "control_entry": "5A001.j",
        "item_description": "Lawful-interception mediation servers, 2 units.",
    },
    "application_reference": "FI-TRAFICOM-2026-077",
    "days": 60,
    "denial": {
        "author": "dk-officer",
        "days_ago": 3,
        "content": {
            "national_reference": "DK-EKS-2026-0131",
            "control_entry": "5A001.j",
            "catch_all": False,
            "item_description": "Interception mediation and retention servers.",
            "end_use": "Declared as telecom lawful-interception compliance.",
            "reason_category": "human_rights",
            "reason": "No independent oversight of interception in the destination.",
            "parties": [
                {
                    "role": "end_user",
                    "name": "HELIOS MONITORING SOLUTIONS FZE",
                    "aliases": ["Helios MS"],
                    "address": "Free Zone, Dubai",
                    "country": "AE",
                },
            ],
        },
    },
}


def seed_watch() -> int:
    """Finland's watched application, and the Danish denial that matches it after it
    was watched (told to Finland's officers); 1 if added."""
    demo = DEMO_WATCH
    author = User.objects.filter(username=demo["author"]).first()
    notifier = User.objects.filter(username=demo["denial"]["author"]).first()
    if (
        author is None
        or notifier is None
        or Watch.objects.filter(
            state_id=author.state_id, application_reference=demo["application_reference"]
        ).exists()
    ):
        return 0
    screened = screening.screen(by=author, **demo["screened"])
    watches.create(
        by=author,
        screening=screened.screening.pk,
        application_reference=demo["application_reference"],
        decide_by=timezone.localdate() + datetime.timedelta(days=demo["days"]),
    )
    content = demo["denial"]["content"]
    if not Denial.objects.filter(
        state_id=notifier.state_id, national_reference=content["national_reference"]
    ).exists():
        decided_on = timezone.localdate() - datetime.timedelta(days=demo["denial"]["days_ago"])
        denials.publish(by=notifier, decided_on=decided_on, **content)
    return 1


# The registry of entities: Denmark confirms that the consignee of its denial
# DK-EKS-2026-0117 is the broker its alert names (the registry suggested it), and records
# what its alert says of that broker: a front for the end-user of DK-EKS-2026-0131.
# Screening the broker's registration number then finds the alert, the first denial
# through the registry, and the second through the relation.
DEMO_REGISTRY = {
    "officer": "dk-officer",
    "alert": "Intrusion-software reseller seeking licences through a new subsidiary",
    "broker": "Stratus Data Trading FZE",
    "consignee": ("DK-EKS-2026-0117", "Stratus Data Trading LLC"),
    "fronted": ("DK-EKS-2026-0131", "HELIOS MONITORING SOLUTIONS FZE"),
}


def seed_registry() -> int:
    """Link what is not linked yet, then Denmark's confirmation and relation; returns how
    many relations were added (0 when there already)."""
    demo = DEMO_REGISTRY
    registry.link_pending()
    officer = User.objects.filter(username=demo["officer"]).first()
    alert = Notice.objects.filter(title=demo["alert"], author_state_id="DK").first()
    if officer is None or alert is None:
        return 0
    broker = alert.entities.filter(name=demo["broker"]).first()
    consignee = DenialParty.objects.filter(
        denial__state_id="DK",
        denial__national_reference=demo["consignee"][0],
        name=demo["consignee"][1],
    ).first()
    fronted = DenialParty.objects.filter(
        denial__state_id="DK",
        denial__national_reference=demo["fronted"][0],
        name=demo["fronted"][1],
    ).first()
    if broker is None or consignee is None or fronted is None:
        return 0
    for suggestion in registry.awaiting(officer).filter(denial_party=consignee):
        registry.confirm(suggestion, by=officer)
        break
    subject = broker.registry_links.filter(status=LinkStatus.CONFIRMED).first()
    target = fronted.registry_links.filter(status=LinkStatus.CONFIRMED).first()
    if (
        subject is None
        or target is None
        or Relation.objects.filter(subject=subject.entity, object=target.entity).exists()
    ):
        return 0
    registry.relate(
        subject.entity,
        by=officer,
        kind=RelationKind.FRONT_FOR,
        other=str(target.entity_id),
        cited=registry.cited_key(alert),
    )
    return 1


# Advisories for industry, each made in the words of its state's officer, never copied
# from its notice. "source" names a demo notice by title; "release" says who approves
# it (None: left awaiting approval, for no-admin's dashboard).
DEMO_ADVISORIES = [
    {
        "author": "no-officer",
        "release": "no-admin",
        "source": "IMSI catchers re-exported through a Baltic freight forwarder",
        "content": {
            "title": "IMSI catchers ordered for police forces may be forwarded to third countries",
            "summary": (
                "Cellular interception equipment sold to police forces in Europe has been "
                "passed on by freight forwarders soon after delivery. Exporters should "
                "check who takes delivery and where the equipment goes next."
            ),
            "body": (
                "## What to check\n\n"
                "- who takes physical delivery, and whether it is the licensed end-user;\n"
                "- whether the forwarder named in the order has handled your goods before;\n"
                "- whether on-site installation and training are refused.\n\n"
                "Ask for an end-use statement signed by the end-user itself."
            ),
            "tlp": "clear",
            "red_flags": [
                "Delivery to a freight forwarder rather than to the police force.",
                "The buyer declines installation, training or maintenance.",
                "Urgent delivery asked for without an operational reason.",
            ],
            "categories": ["telecom-interception"],
            "entities": [{"name": "Nordlys Freight Forwarding OÜ", "confirmed": True}],
        },
    },
    {
        "author": "dk-officer",
        "release": "dk-admin",
        "source": "Intrusion-software reseller seeking licences through a new subsidiary",
        "content": {
            "title": "Intrusion software: beware of resellers changing their names",
            "summary": (
                "A reseller of intrusion software refused licences in Denmark now trades "
                "through a new subsidiary. Screen your customers and their owners against "
                "the names below."
            ),
            "body": (
                "Intrusion software (4A005, 4D004) can be used to spy on journalists, "
                "lawyers and human-rights defenders. Before you sell, ask who owns your "
                "customer, who will operate the software, and against whom."
            ),
            "tlp": "clear",
            "red_flags": [
                "A newly registered customer orders the same products another refused.",
                "The director's name appears in a different transliteration.",
                "Payment through a free-zone trading company.",
            ],
            "categories": ["intrusion-software"],
            "entities": [{"name": "Nimbus Intercept Solutions ApS", "confirmed": True}],
        },
    },
    {
        "author": "no-officer",
        "release": "no-admin",
        "source": "IMSI catchers marketed as network test equipment",
        "content": {
            "title": "Network test equipment that intercepts: questions for your customer",
            "summary": (
                "Some so-called network test platforms capture subscriber identities. For "
                "Norway's industry contacts: what to ask before quoting."
            ),
            "body": "Ask for the full specification and the network operator's mandate.",
            "tlp": "green",
            "red_flags": ["The specification omits what the equipment does to phones nearby."],
            "categories": ["telecom-interception"],
            "entities": [],
            "lists": ["Surveillance exporters"],
        },
    },
    {
        "author": "no-officer",
        "release": None,
        "source": None,
        "content": {
            "title": "Due diligence for exporters of surveillance technology: where to start",
            "summary": (
                "Norway's general guidance: screen every end-user and consignee, know how "
                "your product can be misused, and ask when something does not add up."
            ),
            "body": (
                "1. Screen all end-users and consignees against the entities named in "
                "public advisories.\n2. Ask what the system will be used for, by whom.\n"
                "3. Keep records of what you asked and what you were told."
            ),
            "tlp": "clear",
            "red_flags": [],
            "categories": [],
            "entities": [],
        },
    },
]


# Norway's industry contacts: a list with one contact who confirmed their address (as if
# through the link of the message they got), and one who asked to join and awaits.
DEMO_LIST = ("no-officer", "Surveillance exporters", "Makers and resellers of monitoring gear")
DEMO_CONTACTS = [
    {
        "email": "compliance@nordlys-radio.example",
        "name": "Kari Berg",
        "organisation": "Nordlys Radio AS (invented)",
        "language": "en",
        "confirmed": True,
    },
]
DEMO_REQUEST = {
    "email": "export-office@fjord-university.example",
    "name": "Ana Lima",
    "organisation": "Fjord University export-control office (invented)",
    "language": "fr",
    "note": "We review research collaborations involving network monitoring.",
}


def _seed_contacts() -> None:
    username, name, description = DEMO_LIST
    officer = User.objects.filter(username=username).first()
    if officer is None:
        return
    row = DisseminationList.objects.filter(state=officer.state, name=name).first()
    if row is None:
        row = contacts.create_list(by=officer, name=name, description=description)
    for demo in DEMO_CONTACTS:
        if Contact.objects.filter(state=officer.state, email=demo["email"]).exists():
            continue
        person = {key: demo[key] for key in ("email", "name", "organisation", "language")}
        contact = contacts.invite(by=officer, lists=[row], **person)
        if demo["confirmed"]:
            contacts.confirm(contacts.confirmation_link(contact).rstrip("/").rsplit("/", 1)[1])
    if not Contact.objects.filter(state=officer.state, email=DEMO_REQUEST["email"]).exists():
        contacts.request_to_join(state=officer.state, **DEMO_REQUEST)


def seed_advisories() -> int:
    """Add the demo advisories that are not there yet; returns how many were added."""
    _seed_contacts()
    added = 0
    for demo in DEMO_ADVISORIES:
        content = dict(demo["content"])
        author = User.objects.filter(username=demo["author"]).first()
        if author is None or Advisory.objects.filter(title=content["title"]).exists():
            continue
        content["lists"] = list(
            DisseminationList.objects.filter(state=author.state, name__in=content.get("lists", []))
        )
        if demo["source"]:
            source = Notice.objects.filter(title=demo["source"], author_state=author.state)
            content["source"] = source.first()
            if content["source"] is None:
                continue
        advisory = advisories.create(by=author, **content)
        advisories.submit(advisory, by=author)
        approver = User.objects.filter(username=demo["release"] or "").first()
        if approver is not None:
            advisories.approve(advisory, by=approver)
        added += 1
    return added


# A draft open for public comment (Norway leads, Denmark co-authors), with one comment
# that its writer confirmed and allowed to be published, and Denmark's reply.
DEMO_COMMENT_WINDOW = {
    "author": "no-officer",
    "content": _practice(
        "no-officer",
        "Research collaborations involving surveillance technology: guidance for universities",
        "guidance",
        ["end-use-checks"],
        "How university export-control offices can assess research partnerships that "
        "involve interception or monitoring technology.",
        "## Before the partnership\n\n1. Identify who funds the research and who will use "
        "its results.\n2. Check the partner's links to security services.\n\n## During it"
        "\n\nReview publications and data transfers against the control lists.",
        co_authors=["DK"],
    )["content"],
    "intro": (
        "Norway and Denmark ask universities, researchers and civil society: is this "
        "guidance workable, and what is missing?"
    ),
    "days": 30,
    "comment": {
        "name": "Ana Lima",
        "kind": "academia",
        "organisation": "Fjord University export-control office (invented)",
        "email": "ana.lima@fjord-university.example",
        "body": "Please add how to handle visiting researchers who bring their own equipment.",
        "publishable": True,
    },
    "reply": ("dk-officer", "Thank you: a section on visiting researchers will be added."),
}


def seed_comment_window() -> int:
    """Add the demo draft open for public comment, if it is not there; 1 if added."""
    demo = DEMO_COMMENT_WINDOW
    author = User.objects.filter(username=demo["author"]).first()
    if author is None or BestPractice.objects.filter(title=demo["content"]["title"]).exists():
        return 0
    draft = practices.create(by=author, **demo["content"])
    window = comment_windows.open_window(
        draft,
        by=author,
        intro=demo["intro"],
        closes_on=timezone.localdate() + datetime.timedelta(days=demo["days"]),
    )
    written = comment_windows.comment(window, **demo["comment"])
    token = comment_windows.confirmation_link(written).rstrip("/").rsplit("/", 1)[1]
    row = comment_windows.confirm(token)
    username, text = demo["reply"]
    replier = User.objects.filter(username=username).first()
    if replier is not None and row is not None:
        comment_windows.reply(row, by=replier, text=text)
    return 1


# A year of routine sharing behind the implementation reports (/reports/): a notice
# most months, from one state or another, acknowledged by some of the others after a
# few days, then dated back. Invented like the rest.
HISTORY = [
    (
        "no-officer",
        "threat",
        "ip-network-surveillance",
        "Procurement agent seeking city-surveillance cameras for a tender abroad",
    ),
    (
        "fr-officer",
        "end_user_alert",
        "ip-network-surveillance",
        "Forged end-user certificates for network monitoring equipment",
    ),
    (
        "nl-officer",
        "diversion_alert",
        "telecom-interception",
        "Lawful-interception probes routed through a free-zone warehouse",
    ),
    (
        "fi-officer",
        "technology_alert",
        "biometric-recognition",
        "Facial-recognition software offered under a research licence",
    ),
    (
        "dk-officer",
        "end_user_alert",
        "forensic-extraction",
        "Broker re-exporting mobile forensic kits to a security ministry",
    ),
    (
        "us-officer",
        "threat",
        "intrusion-software",
        "Spyware control servers registered to a shell company",
    ),
    (
        "gb-officer",
        "threat",
        "telecom-interception",
        "Unknown integrator asking for IMSI catchers at a trade fair",
    ),
    (
        "fr-officer",
        "risk_assessment",
        "biometric-recognition",
        "Biometric databases sold together with police training",
    ),
    (
        "no-officer",
        "diversion_alert",
        "data-analytics",
        "Research collaboration used to obtain social-media analytics tools",
    ),
    (
        "de-officer",
        "diversion_alert",
        "location-tracking",
        "Location-tracking devices diverted through a neighbouring state",
    ),
    (
        "nl-officer",
        "end_user_alert",
        "intrusion-software",
        "Denied end-user reappearing as a telecoms consultancy",
    ),
]
HISTORY_READERS = ["no-viewer", "fr-viewer", "dk-viewer", "nl-viewer", "fi-viewer", "de-viewer"]


def seed_history(today: datetime.date | None = None) -> int:
    """Add the year of history not there yet, one notice a month before this one (the
    oldest eleven months back); returns how many were added. Each is published through
    the services, acknowledged by some other states, then its times, its
    acknowledgements' and its notifications' are moved back (the notifications read:
    the demo's inboxes stay about today)."""
    import random

    from sharing.common.models import Event, Revision
    from sharing.notices.models import Acknowledgement
    from sharing.notifications.models import Notification

    today = today or timezone.localdate()
    added = 0
    for back, (author_name, kind, category, title) in enumerate(HISTORY, start=1):
        author = User.objects.filter(username=author_name).first()
        if author is None or Notice.objects.filter(title=title).exists():
            continue
        chance = random.Random(title)  # noqa: S311 -- the same demo history on every machine
        year, month_index = divmod(today.year * 12 + today.month - 1 - back, 12)
        month = datetime.date(year, month_index + 1, 1)
        published = datetime.datetime.combine(
            month.replace(day=chance.randint(3, 24)),
            datetime.time(9, chance.randint(0, 59)),
            tzinfo=datetime.UTC,
        )
        notice = _published(
            notices,
            notices.create(
                by=author,
                kind=kind,
                title=title,
                summary=f"{title}: what we saw, and the checks we suggest.",
                body="Shared at the monthly exchange of the licensing officers.",
                categories=[category],
                severity=chance.choice(["moderate", "high"]),
                tlp=chance.choice(["green", "amber"]),
                audience="subscribing",
            ),
            author,
        )
        readers = [r for r in HISTORY_READERS if not r.startswith(author_name[:3])]
        for reader in chance.sample(readers, chance.randint(2, len(readers))):
            user = User.objects.get(username=reader)
            notices.acknowledge(notice, by=user)
            later = published + datetime.timedelta(days=chance.choice([0, 1, 2, 6, 9, 16, 23]))
            Acknowledgement.objects.filter(notice=notice, state=user.state).update(
                acknowledged_at=later, first_acknowledged_at=later
            )
        Notice.objects.filter(pk=notice.pk).update(
            created_at=published, published_at=published, updated_at=published
        )
        Revision.objects.filter(notice=notice).update(created_at=published)
        Event.objects.filter(notice=notice).update(created_at=published)
        Notification.objects.filter(notice=notice).update(created_at=published, read_at=published)
        added += 1
    return added


def seed_questionnaire(today: datetime.date | None = None) -> int:
    """This year's questionnaire: Norway's admin submitted answers and shared them;
    Denmark's officer saved a draft that dk-admin can submit. Returns how many
    questionnaires were added."""
    from sharing.reports import services as reports
    from sharing.reports.models import Questionnaire

    year = (today or timezone.localdate()).year
    added = 0
    norway, denmark = (
        User.objects.filter(username=name).first() for name in ("no-admin", "dk-officer")
    )
    if norway and not Questionnaire.objects.filter(state=norway.state, year=year).exists():
        reports.submit(
            year,
            by=norway,
            shareable=True,
            answers={
                "legal_changes": "The export control regulation now names serious violations "
                "of human rights as a ground for refusal of cyber-surveillance items.",
                "industry_outreach": "Two seminars with exporters of network equipment; a "
                "due-diligence checklist published in Norwegian and English.",
                "civil_society": "A public consultation on the checklist; comments from two "
                "NGOs led to a section on end-users in the security sector.",
                "lessons": "Early contact with universities avoided two refusals of research "
                "cooperation that turned out to be harmless.",
            },
        )
        added += 1
    if denmark and not Questionnaire.objects.filter(state=denmark.state, year=year).exists():
        reports.save(
            year,
            by=denmark,
            answers={
                "licensing": "Each application for 4A005 and 5A001.j is assessed against the "
                "end-user's record, with the Ministry of Foreign Affairs.",
                "capacity_building": "A workshop for the licensing officers of two observer "
                "states.",
            },
        )
        added += 1
    return added
