"""Screenings and what they showed; watched applications and what they were told of."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.common.models import one_of
from sharing.screening.choices import WatchStatus
from sharing.screening.querysets import WatchMatchQuerySet, WatchQuerySet


class Screening(models.Model):
    """One screening of a candidate transaction against the denials and alerts a state
    can see: who asked, what they entered, what they were shown. Kept, like the audit
    log, and counted on each denial's page (counts only, for other states)."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    query = models.JSONField(_("what was searched"))
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"screening {self.pk} by {self.state_id}"


class ScreeningHit(models.Model):
    """A denial a screening showed, and how closely it matched."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="hits")
    denial = models.ForeignKey(
        "sharing.Denial", on_delete=models.CASCADE, related_name="screening_hits"
    )
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["screening", "denial"], name="hit_once_per_screening")
        ]

    def __str__(self) -> str:
        return f"{self.screening_id} → {self.denial_id} ({self.score})"


class Watch(models.Model):
    """A licence application still being decided, screened again whenever a denial its
    state may read is notified, amended or renewed, or an end-user or diversion alert
    published or amended, until it is decided or its decide-by date passes. Made from a
    screening, whose transaction it keeps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.ForeignKey("accounts.State", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("watched by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="watches")
    application_reference = models.CharField(_("application reference"), max_length=64)
    end_user = models.CharField(_("end-user"), max_length=200, blank=True)
    consignee = models.CharField(_("consignee"), max_length=200, blank=True)
    destination = models.CharField(_("destination"), max_length=2, blank=True)
    control_entry = models.CharField(_("control-list entry"), max_length=40, blank=True)
    item_description = models.TextField(_("item description"), blank=True)
    end_user_identifiers = models.TextField(_("end-user's identifiers"), blank=True)
    consignee_identifiers = models.TextField(_("consignee's identifiers"), blank=True)
    decide_by = models.DateField(_("decide by"))
    status = models.CharField(
        _("status"), max_length=12, choices=WatchStatus.choices, default=WatchStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("watched since"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = WatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("watched application")
        verbose_name_plural = _("watched applications")
        ordering = ["decide_by", "application_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "application_reference"],
                condition=models.Q(status=WatchStatus.ACTIVE),
                name="watch_reference_once_while_active",
            )
        ]
        indexes = [
            models.Index(
                fields=["state", "decide_by"],
                condition=models.Q(status=WatchStatus.ACTIVE),
                name="watch_active",
            )
        ]

    def __str__(self) -> str:
        return self.application_reference

    def get_absolute_url(self) -> str:
        return reverse("sharing:watch-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == WatchStatus.ACTIVE and self.decide_by >= timezone.localdate()

    @property
    def current_status(self) -> str:
        """The status as it stands today: past its date, a watch has lapsed, whether or
        not the hourly sweep has marked it yet."""
        if self.status == WatchStatus.ACTIVE and not self.is_active:
            return WatchStatus.LAPSED
        return self.status

    def get_current_status_display(self) -> str:
        return WatchStatus(self.current_status).label

    @property
    def names(self) -> list[str]:
        return [name for name in (self.end_user, self.consignee) if name]


class NoticeHit(models.Model):
    """A notice naming an entity of concern that a screening showed, and how closely it
    matched (the denials it showed are ``ScreeningHit`` rows)."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="notice_hits")
    notice = models.ForeignKey("sharing.Notice", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["screening", "notice"], name="notice_hit_once")
        ]

    def __str__(self) -> str:
        return f"{self.screening_id} → {self.notice_id} ({self.score})"


class WatchMatch(models.Model):
    """A denial, or a notice naming an entity of concern, that a watch matched, and the
    score its state was last told of (or that the officer saw when the watch was made):
    a match is told again only when its score rises by ``services.RISE`` or more, so
    re-screening the same event tells nobody twice."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="matches")
    denial = models.ForeignKey(
        "sharing.Denial", on_delete=models.CASCADE, null=True, related_name="+"
    )
    notice = models.ForeignKey(
        "sharing.Notice", on_delete=models.CASCADE, null=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    first_at = models.DateTimeField(_("first matched"), default=timezone.now)
    told_at = models.DateTimeField(_("told"), null=True, blank=True)

    objects = WatchMatchQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "first_at"]
        constraints = [
            models.UniqueConstraint(fields=["watch", "denial"], name="watch_match_once"),
            models.UniqueConstraint(fields=["watch", "notice"], name="watch_notice_match_once"),
            models.CheckConstraint(
                condition=one_of("denial", "notice"), name="watch_match_of_one_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.watch_id} → {self.denial_id or self.notice_id} ({self.score})"

    @property
    def item(self):
        """The denial or the notice matched."""
        return self.denial or self.notice
