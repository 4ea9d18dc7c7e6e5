from members.models.accounts import Profile, User, UserManager
from members.models.blocks import Assignment, PlannedSession
from members.models.coaching import StepOverride, TrainerNote
from members.models.invitations import Invitation
from members.models.workouts import KnobSetting, PainFlag, SetLog, Workout

__all__ = [
    "Assignment",
    "Invitation",
    "KnobSetting",
    "PainFlag",
    "PlannedSession",
    "Profile",
    "SetLog",
    "StepOverride",
    "TrainerNote",
    "User",
    "UserManager",
    "Workout",
]
