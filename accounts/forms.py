from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts.choices import ApprovalPolicy, Role
from accounts.models import User, UsernameValidator
from portal.forms import LongSelect


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("User name or e-mail address")
        self.fields["login"].max_length = 254
        self.fields["login"].validators.append(MaxLengthValidator(254))
        self.fields["login"].widget.attrs.update(placeholder="", autocomplete="username")
        self.fields["password"].widget.attrs.update(placeholder="")


class ResetPasswordForm(AllauthResetPasswordForm):
    """The public "forgot your password" form. allauth would send a link to an address
    an account has only claimed, unconfirmed (if no one has confirmed it), and to users
    of a suspended state. Here a link goes only to an address exactly as the account
    confirmed it, of a user who may sign in; for any other address nothing is sent, and
    the answer is the same (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is off). The link staff send
    for a locked-out user does not come through here."""

    def clean_email(self) -> str:
        email = super().clean_email()  # lowercased, as allauth looks addresses up
        confirmed = set(
            EmailAddress.objects.filter(
                user__in=[user.pk for user in self.users], email=email, verified=True
            ).values_list("user_id", flat=True)
        )
        self.users = [user for user in self.users if user.pk in confirmed and user.may_sign_in]
        return email


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.VIEWER,
        help_text=_(
            "Viewers read and receive notifications; officers also post and acknowledge; "
            "admins also manage their state's users."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UsernameValidator()],
        help_text=_("What you will sign in with. Letters, digits and . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "time_zone"]
        widgets = {"time_zone": LongSelect}  # some six hundred zones


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, e.g. “licensing system, production”."),
    )
    expires_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In a year")),
            ("", _("Never (revoke it when it is no longer used)")),
        ],
        coerce=int,
        empty_value=None,
        initial="90",
        required=False,
    )


class StateSettingsForm(forms.Form):
    approval_policy = forms.ChoiceField(
        label=_("Approval before publishing"),
        choices=ApprovalPolicy.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Under a policy, an officer submits a notice or a best practice (its publication, "
            "a material amendment, its withdrawal or archiving) and another officer or admin "
            "of your state approves it before any other state reads it."
        ),
    )
    approve_denials = forms.BooleanField(
        label=_(
            "Licence denials too: another official approves every denial notified, "
            "amended or revoked"
        ),
        required=False,
    )
    named_in_reports = forms.BooleanField(
        label=_("Name our state in the implementation reports' comparisons across states"),
        required=False,
        help_text=_(
            "Other states then see your state's figures by name (notices shared, "
            "acknowledgements and answers on time). Otherwise they count only in the "
            "community's totals. Your officials always see your own figures."
        ),
    )
    language = forms.ChoiceField(
        label=_("Default language"),
        required=False,
        help_text=_(
            "The language of the pages and e-mails of your state's users who have not "
            "chosen one in their profile. Empty: each user's browser language."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Each user's browser language")),
            *settings.LANGUAGES,
        ]
