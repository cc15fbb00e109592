def test_register_page_renders_for_staff(client, staff, organization):
    client.force_login(staff)
    response = client.get("/register/")
    assert response.status_code == 200
    assert "Acme Robotics" in response.content.decode()
