"""Groups: CreateGroup, GetGroup, UpdateGroup, ListGroups, DeleteGroup and membership."""

from __future__ import annotations

import datetime

import pytest

ROLE = "arn:aws:iam::123456789012:role/PoolDeskEditors"
OTHER_ROLE = "arn:aws:iam::123456789012:role/PoolDeskViewers"


@pytest.fixture
def editors(idp, app):
    return idp.create_group(
        GroupName="editors", UserPoolId=app.pool_id, Description="People who edit", Precedence=5, RoleArn=ROLE
    )["Group"]


def test_create_group_returns_the_group(app, editors):
    assert editors["GroupName"] == "editors"
    assert editors["UserPoolId"] == app.pool_id
    assert editors["Description"] == "People who edit"
    assert editors["Precedence"] == 5
    assert editors["RoleArn"] == ROLE
    assert isinstance(editors["CreationDate"], datetime.datetime)


def test_get_group_returns_what_was_created(idp, app, editors):
    got = idp.get_group(GroupName="editors", UserPoolId=app.pool_id)["Group"]
    for key in ("GroupName", "UserPoolId", "Description", "Precedence", "RoleArn"):
        assert got[key] == editors[key], key


def test_create_group_with_an_existing_name_is_group_exists(idp, app, editors):
    with pytest.raises(idp.exceptions.GroupExistsException):
        idp.create_group(GroupName="editors", UserPoolId=app.pool_id)


def test_same_group_name_in_two_pools_is_fine(idp, app, editors, make_pool):
    other = make_pool()
    assert idp.create_group(GroupName="editors", UserPoolId=other["Id"])["Group"]["UserPoolId"] == other["Id"]


def test_get_missing_group_is_resource_not_found(idp, app):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.get_group(GroupName="nope", UserPoolId=app.pool_id)


def test_update_group_changes_description_precedence_and_role(idp, app, editors):
    idp.update_group(
        GroupName="editors", UserPoolId=app.pool_id, Description="Changed", Precedence=1, RoleArn=OTHER_ROLE
    )
    got = idp.get_group(GroupName="editors", UserPoolId=app.pool_id)["Group"]
    assert got["Description"] == "Changed"
    assert got["Precedence"] == 1
    assert got["RoleArn"] == OTHER_ROLE


def test_update_missing_group_is_resource_not_found(idp, app):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.update_group(GroupName="nope", UserPoolId=app.pool_id, Description="x")


def test_list_groups_pages_through_the_pools_groups(idp, app):
    wanted = {f"team-{i}" for i in range(5)}
    for name in wanted:
        idp.create_group(GroupName=name, UserPoolId=app.pool_id)
    seen, kwargs = [], {"UserPoolId": app.pool_id, "Limit": 2}
    for _ in range(20):
        page = idp.list_groups(**kwargs)
        assert len(page["Groups"]) <= 2
        seen.extend(g["GroupName"] for g in page["Groups"])
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sorted(seen) == sorted(wanted)


def test_add_user_to_group_shows_in_both_listings(idp, app, user, editors):
    idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName="editors")
    groups = idp.admin_list_groups_for_user(UserPoolId=app.pool_id, Username=user.username)["Groups"]
    assert [g["GroupName"] for g in groups] == ["editors"]
    assert groups[0]["RoleArn"] == ROLE
    members = idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="editors")["Users"]
    assert [m["Username"] for m in members] == [user.username]


def test_adding_a_member_twice_keeps_one_membership(idp, app, user, editors):
    for _ in range(2):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName="editors")
    members = idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="editors")["Users"]
    assert [m["Username"] for m in members] == [user.username]


def test_add_user_to_missing_group_is_resource_not_found(idp, app, user):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName="nope")


def test_add_missing_user_to_group_is_user_not_found(idp, app, editors):
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username="ghost", GroupName="editors")


def test_list_users_in_group_lists_only_members(idp, app, editors, make_user):
    a = make_user(app.pool_id, "uma")
    make_user(app.pool_id, "vic")
    idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=a.username, GroupName="editors")
    members = idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="editors")["Users"]
    assert [m["Username"] for m in members] == ["uma"]


def test_remove_user_from_group(idp, app, user, editors):
    idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName="editors")
    idp.admin_remove_user_from_group(UserPoolId=app.pool_id, Username=user.username, GroupName="editors")
    assert idp.admin_list_groups_for_user(UserPoolId=app.pool_id, Username=user.username)["Groups"] == []
    assert idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="editors")["Users"] == []


def test_delete_group_removes_it_and_its_memberships(idp, app, user, editors):
    idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName="editors")
    idp.delete_group(GroupName="editors", UserPoolId=app.pool_id)
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.get_group(GroupName="editors", UserPoolId=app.pool_id)
    assert idp.admin_list_groups_for_user(UserPoolId=app.pool_id, Username=user.username)["Groups"] == []


def test_delete_missing_group_is_resource_not_found(idp, app):
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.delete_group(GroupName="nope", UserPoolId=app.pool_id)


def test_deleting_a_user_removes_them_from_groups(idp, app, user, editors):
    idp.admin_add_user_to_group(UserPoolId=app.pool_id, Username=user.username, GroupName="editors")
    idp.admin_delete_user(UserPoolId=app.pool_id, Username=user.username)
    assert idp.list_users_in_group(UserPoolId=app.pool_id, GroupName="editors")["Users"] == []
