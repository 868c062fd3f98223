from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "beatdesk.demo"
    label = "demo"
