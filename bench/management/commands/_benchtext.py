"""Word lists and the text made from them, for ``generate_bench_data``: notices and
best practices in English, French, German, Japanese and Korean that read like the
real thing (who did what with which technology, where), written without any network
or language model. Every company and person named is invented.

The leading underscore keeps Django from taking this module for a command.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CONTROL_CODES = [
    "4A005", "4D004", "4E001.a", "4E001.c", "5A001.f", "5A001.f.1", "5A001.j", "5D001.e",
    "5A002.a", "5A004.b", "5D002.c", "5E002", "6A003.b.4", "3A001", "5A003", "5B002",
    "4A003", "ML21.a", "ML11.a", "EAR99",
]  # fmt: skip
# Where misuse is feared, and the trading hubs that goods pass through.
COUNTRIES_OF_CONCERN = [
    "AE", "MM", "CN", "RU", "IR", "KP", "BY", "SY", "VE", "NI", "SA", "EG", "ET", "TR",
    "KZ", "UZ", "AZ", "RW", "UG", "BH",
]  # fmt: skip
HUBS = ["AE", "CY", "HK", "SG", "TR", "MY", "RS", "GE", "AM", "TH"]


@dataclass(frozen=True)
class Language:
    """The word lists of one language. A sentence is made of a subject, a verb, an
    object and a qualifier, in the order the language wants them."""

    code: str
    subjects: list[str]
    verbs: list[str]
    objects: list[str]
    qualifiers: list[str]
    checks: list[str]  # what an official should do (guidance sentences)
    check_frame: str  # "{check}" inside a sentence
    headings: list[str]
    practice_headings: list[str]
    title_frames: list[str]  # "{object}", "{entity}", "{code}", "{topic}"
    practice_titles: list[str]
    change_notes: list[str]
    comments: list[str]
    order: str  # "svoq" (subject verb object qualifier) or "sqov" (Japanese, Korean)
    space: str = " "


EN = Language(
    code="en",
    subjects=[
        "A reseller of intrusion software",
        "A distributor of lawful-interception equipment",
        "A newly registered subsidiary",
        "A systems integrator",
        "A free-zone trading company",
        "A university spin-off",
        "A cloud hosting provider",
        "A defence procurement agency",
        "A broker based abroad",
        "A telecom operator",
        "An end-user in a third country",
        "A security consultancy",
        "A police intelligence unit",
        "A shell company",
    ],
    verbs=[
        "has applied for licences for",
        "is marketing",
        "has requested a quotation for",
        "was found to be re-exporting",
        "is advertising",
        "has ordered",
        "is seeking to procure",
        "offered to install",
        "delivered",
        "is reselling",
    ],
    objects=[
        "remote access software",
        "IMSI catchers",
        "a monitoring centre",
        "deep packet inspection appliances",
        "facial recognition cameras",
        "social-media analytics platforms",
        "forensic extraction kits",
        "spyware implants",
        "location tracking services",
        "voice biometric systems",
        "network interception probes",
        "data retention appliances",
        "exploit delivery frameworks",
        "gait recognition software",
    ],
    qualifiers=[
        "under a generic test-equipment description",
        "through an intermediary",
        "with payment routed through a third country",
        "naming a different end-user",
        "after two refusals in other states",
        "for a prison service",
        "without mentioning its interception functions",
        "matching {code}",
        "covered by {code}",
        "to a ministry of the interior",
        "at a trade fair last month",
        "through cloud downloads rather than shipments",
        "with a falsified end-user statement",
    ],
    checks=[
        "compare applications against the aliases below",
        "ask for the ultimate end-user statement",
        "plan a post-shipment verification",
        "check the end-user's legal mandate",
        "ask who will operate the system and under which authority",
        "review the oversight of the end-user's surveillance powers",
        "consult the human-rights reports on the destination",
        "verify serial numbers on site",
        "contact the licensing authority of the transit state",
        "hold pending applications",
    ],
    check_frame="We recommend that licensing officers {check}.",
    headings=[
        "What we saw",
        "Indicators",
        "Suggested checks",
        "Background",
        "Assessment",
        "Sources",
        "Recommended action",
    ],
    practice_headings=["Purpose", "Before the licence", "After delivery", "Lessons learned"],
    title_frames=[
        "{object} marketed as network test equipment",
        "{object} sought through a new subsidiary",
        "{object} diverted through a distributor",
        "{object} offered to a prison service",
        "{entity}: renewed attempts to procure {object}",
        "Licence applications for {code} items",
        "{object} re-exported via a free zone",
        "Refusal notification: {object} ({code})",
    ],
    practice_titles=[
        "End-use checks for {object}",
        "Human-rights risk assessment for {object}",
        "Briefing industry on {topic}",
        "Catch-all controls for {object}",
        "Post-shipment verification of {object}",
        "Classifying {object} under {code}",
        "Template: end-user undertaking for {object}",
        "{topic}: what we learned",
    ],
    change_notes=[
        "Added the aliases found since publication.",
        "Corrected the control-list entry.",
        "New indicators from a second application.",
        "Updated the countries of concern.",
        "Clarified the suggested checks.",
    ],
    comments=[
        "We received an application from the same company last month and are holding it.",
        "Thank you. We have added the aliases to our screening list.",
        "Our customs service saw a similar shipment; we will share details bilaterally.",
        "Could you say which product versions were involved?",
        "We refused a comparable licence in 2024; the end-user was different.",
    ],
    order="svoq",
)

FR = Language(
    code="fr",
    subjects=[
        "Un revendeur de logiciels d'intrusion",
        "Un distributeur d'équipements d'interception légale",
        "Une filiale nouvellement immatriculée",
        "Un intégrateur de systèmes",
        "Une société de négoce en zone franche",
        "Une jeune pousse universitaire",
        "Un hébergeur en nuage",
        "Un courtier établi à l'étranger",
        "Un opérateur de télécommunications",
        "Un utilisateur final dans un pays tiers",
        "Une société de conseil en sécurité",
        "Une société écran",
    ],
    verbs=[
        "a déposé des demandes de licence pour",
        "commercialise",
        "a demandé un devis pour",
        "réexporte",
        "fait la promotion de",
        "a commandé",
        "cherche à se procurer",
        "a proposé d'installer",
        "a livré",
    ],
    objects=[
        "des logiciels d'accès à distance",
        "des intercepteurs IMSI",
        "un centre de surveillance",
        "des équipements d'inspection approfondie des paquets",
        "des caméras de reconnaissance faciale",
        "des plateformes d'analyse des réseaux sociaux",
        "des kits d'extraction forensique",
        "des logiciels espions",
        "des services de géolocalisation",
        "des systèmes biométriques vocaux",
        "des sondes d'interception réseau",
    ],
    qualifiers=[
        "sous une description générique d'équipement de test",
        "par l'intermédiaire d'un courtier",
        "avec un paiement transitant par un pays tiers",
        "en désignant un autre utilisateur final",
        "après deux refus dans d'autres États",
        "pour une administration pénitentiaire",
        "sans mentionner ses fonctions d'interception",
        "relevant de {code}",
        "couverts par {code}",
        "pour un ministère de l'Intérieur",
        "lors d'un salon professionnel le mois dernier",
    ],
    checks=[
        "comparer les demandes avec les alias ci-dessous",
        "exiger un certificat d'utilisateur final",
        "prévoir une vérification après livraison",
        "vérifier le mandat légal de l'utilisateur final",
        "examiner le contrôle exercé sur les pouvoirs de surveillance",
        "consulter les rapports sur la situation des droits de l'homme",
        "procéder à une évaluation des risques",
    ],
    check_frame="Nous recommandons aux services instructeurs de {check}.",
    headings=[
        "Ce que nous avons constaté",
        "Indicateurs",
        "Vérifications suggérées",
        "Contexte",
        "Évaluation",
        "Sources",
    ],
    practice_headings=["Objet", "Avant la licence", "Après la livraison", "Enseignements"],
    title_frames=[
        "{object} présentés comme équipements de test",
        "{object} recherchés par une nouvelle filiale",
        "{object} détournés par un distributeur",
        "{entity} : nouvelles tentatives d'achat",
        "Demandes de licence pour des biens {code}",
        "Refus notifié : {object} ({code})",
    ],
    practice_titles=[
        "Vérifications de l'utilisation finale pour {object}",
        "Évaluation des risques pour les droits de l'homme : {object}",
        "Sensibiliser l'industrie : {topic}",
        "Clause attrape-tout pour {object}",
        "Classer {object} sous {code}",
    ],
    change_notes=[
        "Ajout des alias découverts depuis la publication.",
        "Correction de la rubrique de la liste de contrôle.",
        "Nouveaux indicateurs issus d'une deuxième demande.",
    ],
    comments=[
        "Nous avons reçu une demande de la même société le mois dernier.",
        "Merci. Les alias ont été ajoutés à notre liste de criblage.",
        "Nos douanes ont observé une expédition comparable.",
    ],
    order="svoq",
)

DE = Language(
    code="de",
    subjects=[
        "Ein Wiederverkäufer von Intrusionssoftware",
        "Ein Händler für Überwachungstechnik",
        "Eine neu gegründete Tochtergesellschaft",
        "Ein Systemintegrator",
        "Eine Handelsgesellschaft in einer Freihandelszone",
        "Ein Cloud-Anbieter",
        "Ein im Ausland ansässiger Vermittler",
        "Ein Telekommunikationsbetreiber",
        "Ein Endverwender in einem Drittland",
        "Eine Briefkastenfirma",
    ],
    verbs=["vertreibt", "bewirbt", "liefert", "bestellte", "exportierte", "beschafft"],
    objects=[
        "Fernzugriffssoftware",
        "IMSI-Catcher",
        "ein Überwachungszentrum",
        "Geräte zur Deep Packet Inspection",
        "Gesichtserkennungskameras",
        "Plattformen zur Analyse sozialer Medien",
        "forensische Extraktionsgeräte",
        "Spähsoftware",
        "Ortungsdienste",
        "Abhörsonden für Netzwerke",
    ],
    qualifiers=[
        "über einen Zwischenhändler",
        "unter einer allgemeinen Beschreibung als Testgerät",
        "mit Zahlungen über ein Drittland",
        "an ein Innenministerium",
        "nach zwei Ablehnungen in anderen Staaten",
        "gemäß {code}",
        "erfasst von {code}",
        "für den Strafvollzug",
        "ohne Hinweis auf die Abhörfunktionen",
    ],
    checks=[
        "Anträge mit den unten genannten Aliasnamen abgleichen",
        "eine Endverbleibserklärung verlangen",
        "eine Prüfung nach der Lieferung planen",
        "das gesetzliche Mandat des Endverwenders prüfen",
        "die Aufsicht über die Überwachungsbefugnisse bewerten",
    ],
    check_frame="Wir empfehlen, {check}.",
    headings=[
        "Was wir beobachtet haben",
        "Indikatoren",
        "Empfohlene Prüfungen",
        "Hintergrund",
        "Bewertung",
        "Quellen",
    ],
    practice_headings=["Zweck", "Vor der Genehmigung", "Nach der Lieferung", "Erkenntnisse"],
    title_frames=[
        "{object} als Netzwerktestgeräte angeboten",
        "{object} über eine neue Tochter gesucht",
        "{entity}: erneute Beschaffungsversuche",
        "Ausfuhranträge für Güter der Nummer {code}",
        "Ablehnung gemeldet: {object} ({code})",
    ],
    practice_titles=[
        "Endverbleibsprüfung für {object}",
        "Menschenrechtliche Risikoprüfung: {object}",
        "Unterrichtung der Industrie: {topic}",
        "Auffangklausel für {object}",
    ],
    change_notes=["Neue Aliasnamen ergänzt.", "Listenposition berichtigt."],
    comments=[
        "Wir haben letzten Monat einen Antrag derselben Firma erhalten.",
        "Danke, die Aliasnamen sind in unserer Prüfliste.",
    ],
    order="svoq",
)

JA = Language(
    code="ja",
    subjects=[
        "侵入ソフトウェアの販売業者が",
        "合法的傍受装置の販売代理店が",
        "新たに登記された子会社が",
        "システムインテグレーターが",
        "フリーゾーンの貿易会社が",
        "第三国の最終需要者が",
        "海外の仲介業者が",
        "通信事業者が",
    ],
    verbs=[
        "輸出許可を申請した。",
        "販売している。",
        "調達しようとしている。",
        "再輸出していた。",
        "宣伝している。",
        "発注した。",
    ],
    objects=[
        "遠隔アクセスソフトウェアを",
        "IMSIキャッチャーを",
        "監視センターを",
        "ディープパケットインスペクション装置を",
        "顔認識カメラを",
        "ソーシャルメディア分析プラットフォームを",
        "フォレンジック抽出キットを",
        "スパイウェアを",
        "位置追跡サービスを",
    ],
    qualifiers=[
        "仲介業者を通じて",
        "試験装置という一般的な名目で",
        "第三国経由の支払いで",
        "別の最終需要者を記載して",
        "{code}に該当する形で",
        "他国で二度拒否された後に",
        "刑務所当局向けに",
    ],
    checks=[
        "下記の別名と申請を照合すること",
        "最終需要者の誓約書を求めること",
        "出荷後の確認を計画すること",
        "最終需要者の権限と監督体制を確認すること",
    ],
    check_frame="審査担当者は{check}を推奨する。",
    headings=["概要", "兆候", "推奨される確認事項", "背景", "評価"],
    practice_headings=["目的", "許可前", "引渡し後", "教訓"],
    title_frames=[
        "{object}試験装置として販売",
        "{entity}による調達の試み",
        "{code}該当品の輸出許可申請",
    ],
    practice_titles=["{object}の最終用途確認", "{object}の人権リスク評価", "{topic}: 審査手順"],
    change_notes=["別名を追加した。", "規制番号を訂正した。"],
    comments=["同じ会社から先月申請を受けた。", "ありがとうございます。照合リストに追加した。"],
    order="sqov",
    space="",
)

KO = Language(
    code="ko",
    subjects=[
        "침입 소프트웨어 판매업체가",
        "합법적 감청 장비 유통업체가",
        "새로 등록된 자회사가",
        "시스템 통합업체가",
        "자유무역지대의 무역회사가",
        "제3국의 최종 사용자가",
        "해외 중개업체가",
        "통신 사업자가",
    ],
    verbs=[
        "수출 허가를 신청했다.",
        "판매하고 있다.",
        "조달하려 하고 있다.",
        "재수출하고 있었다.",
        "광고하고 있다.",
        "주문했다.",
    ],
    objects=[
        "원격 접근 소프트웨어를",
        "IMSI 캐처를",
        "감시 센터를",
        "심층 패킷 검사 장비를",
        "얼굴 인식 카메라를",
        "소셜 미디어 분석 플랫폼을",
        "포렌식 추출 키트를",
        "스파이웨어를",
        "위치 추적 서비스를",
    ],
    qualifiers=[
        "중개업체를 통해",
        "시험 장비라는 일반적인 명칭으로",
        "제3국을 경유한 결제로",
        "다른 최종 사용자를 기재하여",
        "{code}에 해당하는",
        "다른 국가에서 두 번 거부된 후",
    ],
    checks=[
        "아래 별칭과 신청서를 대조할 것",
        "최종 사용자 확인서를 요구할 것",
        "선적 후 검증을 계획할 것",
        "최종 사용자의 권한과 감독 체계를 확인할 것",
    ],
    check_frame="심사 담당자는 {check}을 권고한다.",
    headings=["개요", "징후", "권장 확인 사항", "배경", "평가"],
    practice_headings=["목적", "허가 전", "인도 후", "교훈"],
    title_frames=[
        "{object} 시험 장비로 판매",
        "{entity}의 조달 시도",
        "{code} 해당 품목 수출 허가 신청",
    ],
    practice_titles=["{object} 최종 용도 확인", "{object} 인권 위험 평가", "{topic}: 심사 절차"],
    change_notes=["별칭을 추가했다.", "통제 번호를 정정했다."],
    comments=["같은 회사로부터 지난달 신청을 받았다.", "감사합니다. 심사 목록에 추가했다."],
    order="sqov",
)

LANGUAGES = {language.code: language for language in (EN, FR, DE, JA, KO)}
# The languages a state writes in, with their odds; English everywhere else.
STATE_LANGUAGES = {
    "FR": [("fr", 7), ("en", 3)],
    "DE": [("de", 7), ("en", 3)],
    "JP": [("ja", 7), ("en", 3)],
    "KR": [("ko", 7), ("en", 3)],
    "CA": [("en", 8), ("fr", 2)],
}

# Invented companies: a stem, a word and the company form of their country.
NAME_STEMS = [
    "Nimbus", "Stratus", "Meridian", "Aurora", "Helios", "Vector", "Cobalt", "Sentinel",
    "Orion", "Falcon", "Zenith", "Polaris", "Quantum", "Atlas", "Nova", "Vanguard", "Echo",
    "Obsidian", "Argus", "Cipher", "Lumen", "Kestrel", "Boreal", "Tessera", "Halcyon",
]  # fmt: skip
NAME_WORDS = [
    "Intercept", "Data", "Signal", "Systems", "Analytics", "Networks", "Security", "Vision",
    "Telecom", "Forensics", "Dynamics", "Labs", "Insight", "Monitoring", "Defence",
]  # fmt: skip
COMPANY_FORMS = {
    "AE": "FZE", "CY": "Ltd", "HK": "Limited", "SG": "Pte Ltd", "TR": "A.Ş.", "MY": "Sdn Bhd",
    "DE": "GmbH", "FR": "SARL", "DK": "ApS", "GB": "Ltd", "US": "LLC", "NL": "B.V.",
    "RU": "OOO", "CN": "Co., Ltd.", "IR": "PJS", "BY": "OAO", "SA": "LLC", "EG": "S.A.E.",
}  # fmt: skip
KATAKANA = [
    "ネビュラ",
    "ストラタス",
    "メリディアン",
    "オーロラ",
    "ヘリオス",
    "ベクター",
    "コバルト",
]
HANGUL = ["네뷸라", "스트라투스", "메리디안", "오로라", "헬리오스", "벡터", "코발트"]
GIVEN = ["Alex", "Marek", "Ilya", "Farid", "Chen", "Omar", "Dana", "Viktor", "Leila", "Sami"]
FAMILY = ["Petrov", "Haddad", "Lindqvist", "Moreau", "Kovač", "Öztürk", "Nakamura", "Park"]


class Text:
    """Sentences, Markdown blocks and titles in one language, from a seeded random."""

    def __init__(self, rng: random.Random, language: Language):
        self.rng = rng
        self.lang = language

    def _code(self, text: str) -> str:
        return text.replace("{code}", self.rng.choice(CONTROL_CODES))

    def sentence(self) -> str:
        r, lang = self.rng, self.lang
        s, v, o, q = (
            r.choice(lang.subjects),
            r.choice(lang.verbs),
            r.choice(lang.objects),
            self._code(r.choice(lang.qualifiers)),
        )
        if lang.order == "sqov":
            return lang.space.join([s, q, o, v])
        return f"{s} {v} {o} {q}."

    def check(self) -> str:
        return self.lang.check_frame.format(check=self.rng.choice(self.lang.checks))

    def paragraph(self, sentences: int | None = None) -> str:
        count = sentences or self.rng.randint(2, 4)
        parts = [self.sentence() for _ in range(count)]
        if self.rng.random() < 0.4:
            parts.append(self.check())
        # Some emphasis, as officials write it.
        if self.rng.random() < 0.3 and self.lang.order == "svoq":
            words = parts[0].split(" ")
            at = self.rng.randrange(1, len(words))
            words[at] = f"**{words[at].rstrip('.')}**" + ("." if words[at].endswith(".") else "")
            parts[0] = " ".join(words)
        return (self.lang.space or "").join(parts) if self.lang.order == "sqov" else " ".join(parts)

    def bullet_list(self) -> str:
        items = self.rng.sample(self.lang.qualifiers + self.lang.checks, self.rng.randint(3, 5))
        return "\n".join(f"- {self._code(item)};" for item in items)

    def numbered_list(self) -> str:
        items = self.rng.sample(self.lang.checks, min(len(self.lang.checks), 3))
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))

    def table(self) -> str:
        codes = self.rng.sample(CONTROL_CODES, 3)
        rows = [f"| {code} | {self.rng.choice(self.lang.objects)} |" for code in codes]
        return "\n".join(["| Entry | Item |", "| --- | --- |", *rows])

    def heading(self, practice: bool = False) -> str:
        headings = self.lang.practice_headings if practice else self.lang.headings
        return "## " + self.rng.choice(headings)

    def block(self) -> str:
        """One Markdown block of any kind (a pool of these makes bodies)."""
        roll = self.rng.random()
        if roll < 0.6:
            return self.paragraph()
        if roll < 0.8:
            return self.bullet_list()
        if roll < 0.92:
            return self.numbered_list()
        return self.table()

    def title(self, *, entity: str | None, practice: bool = False, topic: str = "") -> str:
        frames = self.lang.practice_titles if practice else self.lang.title_frames
        if entity is None:
            frames = [f for f in frames if "{entity}" not in f] or frames
        frame = self.rng.choice(frames)
        obj = self.rng.choice(self.lang.objects)
        if self.lang.order == "sqov":
            obj = obj[:-1]  # without the object particle (を, 를/을)
        else:
            obj = obj.removeprefix("a ").removeprefix("un ").removeprefix("ein ")
        title = frame.format(object=obj, entity=entity or "", code="{code}", topic=topic)
        title = self._code(title)
        return (title[0].upper() + title[1:])[:200]

    def summary(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 2)))[:1000]


def entity(rng: random.Random, country: str) -> dict:
    """An invented entity of concern, with aliases and identifiers."""
    roll = rng.random()
    if roll < 0.7:
        stem, word = rng.choice(NAME_STEMS), rng.choice(NAME_WORDS)
        form = COMPANY_FORMS.get(country, "Ltd")
        name = f"{stem} {word} {form}"
        aliases = [f"{stem} {word}", f"{stem[0]}{word[0]} {country}"]
        if rng.random() < 0.2:
            aliases.append(f"株式会社{rng.choice(KATAKANA)}")
        if rng.random() < 0.2:
            aliases.append(f"(주){rng.choice(HANGUL)}")
        identifiers = [f"Reg. {country}{rng.randint(100000, 999999)} (invented)"]
        kind = "company"
    elif roll < 0.85:
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        aliases = [name.split(" ")[1]]
        identifiers = []
        kind = "individual"
    elif roll < 0.95:
        name = f"{rng.choice(NAME_STEMS)} Trading {COMPANY_FORMS.get(country, 'Ltd')}"
        aliases = []
        identifiers = []
        kind = "broker"
    else:
        name = f"Directorate of Technical Operations {rng.randint(1, 40)}"
        aliases = [f"DTO-{rng.randint(1, 40)}"]
        identifiers = []
        kind = "government_body"
    return {
        "name": name,
        "aliases": aliases,
        "country": country,
        "kind": kind,
        "identifiers": identifiers,
        "notes": "",
    }
