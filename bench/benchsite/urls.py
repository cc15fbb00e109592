from django.urls import include, path

from benchsite import views

urlpatterns = [
    path("bench/hello/", views.hello, name="bench_hello"),
    path("bench/cases/", views.reference_case_list, name="bench_reference_cases"),
    path("", include("association.urls")),
]
