import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from routines.images import ReencodedImageField
from routines.limits import BIO_LENGTH


class UserManager(BaseUserManager["User"]):
    """Accounts made by a command, the demo or the admin start with a verified email.

    Self-signup goes through allauth instead, which verifies the address by email.
    """

    use_in_migrations = True

    def create_user(self, email, password=None, *, display_name="", **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, display_name=display_name, **extra_fields)

    def create_superuser(self, email, password=None, *, display_name="", **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, display_name=display_name, **extra_fields)

    @transaction.atomic
    def _create_user(self, email, password, *, display_name, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        self.set_up_vouched_account(user, display_name=display_name)
        return user

    def set_up_vouched_account(self, user, *, display_name=""):
        """Give an account that staff or a command vouched for its profile and a
        verified primary email, so mandatory verification does not lock it out."""
        Profile.objects.for_user(user, display_name=display_name)
        EmailAddress.objects.update_or_create(
            user=user,
            email=user.email,
            defaults={"verified": True, "primary": True},
        )


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: members, trainers (staff in the Trainers group) and admins.

    The email address is the login; names live on the profile.
    """

    email = models.EmailField("email address", unique=True)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Lets this person into the admin. Trainers are staff.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick instead of deleting an account, so its history stays.",
    )
    date_joined = models.DateTimeField("date joined", default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="unique_user_email_ignoring_case",
                violation_error_message="Someone already uses this email address.",
            )
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.email.split("@", 1)[0]


class ProfileManager(models.Manager["Profile"]):
    def for_user(self, user, **defaults) -> "Profile":
        """The person's profile, made on first need.

        Every account gets one at sign-up; accounts that predate that, or were
        made by hand in a shell, get one the first time a page needs it.
        """
        user_id = user if isinstance(user, int) else user.pk
        profile, _ = self.get_or_create(user_id=user_id, defaults=defaults)
        return profile


# A trainer's photo is shown 64 px wide: twice that for sharp screens.
PHOTO_SIDE = 128


class Profile(models.Model):
    """A member's own preferences, edited on their Settings page."""

    class WeakerSide(models.TextChoices):
        UNSURE = "unsure", "Not sure yet"
        LEFT = "left", "Left"
        RIGHT = "right", "Right"

    class Units(models.TextChoices):
        IMPERIAL = "imperial", "Inches and pounds"
        METRIC = "metric", "Centimetres and kilograms"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        "display name",
        max_length=80,
        blank=True,
        help_text="What your trainer and the app call you.",
    )
    weaker_side = models.CharField(
        "weaker or stiffer side",
        max_length=6,
        choices=WeakerSide,
        default=WeakerSide.UNSURE,
        help_text="One-sided exercises add an extra set on this side.",
    )
    units = models.CharField(
        max_length=8,
        choices=Units,
        default=Units.IMPERIAL,
        help_text="How distances and loads are shown to you.",
    )
    trainer = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainees",
        limit_choices_to={"is_staff": True},
        help_text="The trainer who invited this member or last put them on a routine.",
    )
    zero_pain_accepted_at = models.DateTimeField(
        "accepted the zero-pain rule",
        null=True,
        blank=True,
        help_text="When the member confirmed they start every exercise from zero pain.",
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The secret in the member's private calendar feed address; empty when revoked.",
    )

    session_reminders = models.BooleanField(
        "session reminders",
        default=True,
        help_text="An email on the morning of each planned session.",
    )
    weekly_digest = models.BooleanField(
        "weekly digest",
        default=True,
        help_text="For trainers: a weekly email of who needs you and which blocks end.",
    )
    pain_alerts = models.BooleanField(
        "pain alerts",
        default=True,
        help_text="For trainers: an email as soon as a member reports pain.",
    )
    question_emails = models.BooleanField(
        "question emails",
        default=True,
        help_text="For trainers: an email for each new question and each reply.",
    )
    photo = ReencodedImageField(
        upload_to="trainers/",
        blank=True,
        photo=PHOTO_SIDE,
        help_text="For trainers: shown to their members beside their name.",
    )
    bio = models.CharField(
        max_length=BIO_LENGTH,
        blank=True,
        help_text="For trainers: a line or two about you, shown to your members on Today.",
    )
    forgotten_at = models.DateTimeField(
        "account deleted",
        null=True,
        blank=True,
        editable=False,
        help_text="When the member deleted their account: who they were is gone, "
        "what they did still counts, unnamed.",
    )

    objects = ProfileManager()

    class Meta:
        verbose_name = "member profile"

    def __str__(self):
        return self.display_name or self.user.email

    def create_calendar_token(self) -> str:
        """A new secret feed address; the old one stops working at once."""
        self.calendar_token = secrets.token_urlsafe(32)
        self.save(update_fields=["calendar_token"])
        return self.calendar_token

    def revoke_calendar_token(self) -> None:
        self.calendar_token = None
        self.save(update_fields=["calendar_token"])
