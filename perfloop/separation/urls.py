app_name = "separation"
urlpatterns: list = []
