from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def team_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    return HttpResponse("")


def person_page(request: HttpRequest, employee_id: int) -> HttpResponse:
    return HttpResponse("")
