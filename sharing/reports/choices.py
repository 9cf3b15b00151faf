from django.utils.translation import gettext_lazy as _

# The questionnaire each state answers once a year on the Code's commitments
# (docs/architecture.md, "Implementation reports"): key, question, what to say.
QUESTIONS = (
    (
        "legal_changes",
        _("Legal or regulatory changes"),
        _(
            "Changes made to laws, regulations or licensing guidance to take human rights "
            "into account in export controls."
        ),
    ),
    (
        "licensing",
        _("Human rights in licensing"),
        _("How human-rights risks were weighed when licence applications were reviewed."),
    ),
    (
        "industry_outreach",
        _("Outreach to industry"),
        _("Events held and guidance given to help companies carry out due diligence."),
    ),
    (
        "civil_society",
        _("Consultation of civil society and academia"),
        _("Meetings, calls for comment and other consultations, and what came of them."),
    ),
    (
        "capacity_building",
        _("Capacity building"),
        _("Support given to or received from other states, and on what."),
    ),
    (
        "lessons",
        _("Points learnt"),
        _("What worked, what did not, and what other states might take from it."),
    ),
)
QUESTION_KEYS = tuple(key for key, _label, _help in QUESTIONS)
# The longest answer taken, in characters.
MAX_ANSWER = 5000
