from members.models.accounts import Profile, User, UserManager
from members.models.blocks import Assignment, PlannedSession, Workout
from members.models.invitations import Invitation

__all__ = [
    "Assignment",
    "Invitation",
    "PlannedSession",
    "Profile",
    "User",
    "UserManager",
    "Workout",
]
