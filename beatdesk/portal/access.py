"""What the public may write to, and who may see a resident's photos."""

from django.db.models import Q, QuerySet
from django.http import Http404

from beatdesk.channels.models import Account, ChannelKind
from beatdesk.inbox.access import cases_for
from beatdesk.portal.models import Photo
from beatdesk.units.models import Unit, UnitKind, User

# Residents write to the units they can walk into: police stations and community offices.
PUBLIC_UNIT_KINDS = [UnitKind.STATION, UnitKind.COMMUNITY]


def stations_for_residents() -> QuerySet[Unit]:
    """Return the units a resident may write to: front-line units with public contact details.

    A unit whose portal account an operator switched off is left out.
    """
    closed = Account.objects.filter(kind=ChannelKind.PORTAL, is_active=False).values("unit")
    return (
        Unit.objects.filter(kind__in=PUBLIC_UNIT_KINDS)
        .filter(~Q(contact_phone="") | ~Q(address=""))
        .exclude(pk__in=closed)
        .order_by("path")
    )


def access_photo_by_id(user: User, photo_id: int) -> Photo:
    """Return a photo whose case the user may see; any other id is simply not found."""
    visible = cases_for(user).values("pk")
    photo = Photo.objects.filter(pk=photo_id, message__case__in=visible).first()
    if photo is None:
        raise Http404("No such photo")
    return photo
