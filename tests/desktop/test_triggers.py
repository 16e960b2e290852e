"""The Triggers tab in the real window: a pre sign-up function set through its form, ending in
what the server now holds, with the pool's other settings as they were; and a test event sent
to a live function, its answer and the inspector shown. AWS Lambda cannot run here: the
end-to-end suite's stand-in (tests/e2e/lambda_stub.py) speaks the Invoke API, checks the SigV4
signature, and runs a handler written as it would be deployed."""
import sys
from pathlib import Path

import pytest

from test_app_integration import call, new_pool
from test_sign_in_providers import open_pool_tab
from test_window import open_row

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from lambda_stub import LambdaStub, server_env  # noqa: E402 (after the path that finds it)

PRE_SIGN_UP = "arn:aws:lambda:us-east-1:123456789012:function:shop-pre-sign-up"


def test_set_a_pre_sign_up_function_and_keep_the_other_settings(app):
    pool_id = new_pool(app)
    call(app, "UpdateUserPool", {
        "UserPoolId": pool_id,
        "AutoVerifiedAttributes": ["email"],
        "EmailVerificationSubject": "Your shop code",
        "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True,
                                        "RequireNumbers": True, "RequireSymbols": False, "TemporaryPasswordValidityDays": 3}},
    })
    before = call(app, "DescribeUserPool", {"UserPoolId": pool_id})["UserPool"]
    open_pool_tab(app, "tab-triggers")
    app.by("triggers-tab")
    app.wait().until(lambda d: any("No triggers configured" in t for t in app.texts("triggers-tab")))

    # Refused before sending: not a Lambda function's ARN.
    app.type("trigger-arn-PreSignUp", "shop-pre-sign-up")
    app.click("triggers-save")
    app.wait().until(lambda d: any("Lambda function ARN" in t for t in app.texts("trigger-arn-PreSignUp-error")))
    assert not call(app, "DescribeUserPool", {"UserPoolId": pool_id})["UserPool"].get("LambdaConfig", {}).get("PreSignUp")

    app.type("trigger-arn-PreSignUp", PRE_SIGN_UP)
    app.click("triggers-save")
    app.wait().until(lambda d: any("Triggers saved" in t for t in app.texts("toast-ok")))
    # Saved and read back: the trigger now offers a test event, and the inspector waits for calls.
    app.by("trigger-test-PreSignUp")
    app.wait().until(lambda d: any("No invocations yet" in t for t in app.texts("triggers-tab")))

    after = call(app, "DescribeUserPool", {"UserPoolId": pool_id})["UserPool"]
    assert after["LambdaConfig"]["PreSignUp"] == PRE_SIGN_UP
    assert not after["LambdaConfig"].get("PostConfirmation")
    assert after["AutoVerifiedAttributes"] == ["email"]
    assert after["EmailVerificationSubject"] == "Your shop code"
    assert after["Policies"]["PasswordPolicy"] == before["Policies"]["PasswordPolicy"]
    assert after.get("MfaConfiguration") == before.get("MfaConfiguration")
    assert call(app, "PoolDesk.ListTriggerInvocations", {"UserPoolId": pool_id})["Invocations"] == []
    app.screenshot("pre-sign-up-saved")


@pytest.fixture
def lambda_stub():
    stub = LambdaStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def app_env(lambda_stub, tmp_path):
    """The app finds the stand-in as the AWS SDKs would: AWS_ENDPOINT_URL_LAMBDA and keys."""
    return server_env(lambda_stub, tmp_path)


def test_send_a_test_event_to_a_live_function_and_read_it_in_the_inspector(lambda_stub, app_env, app):
    def pre_sign_up(event, context):
        event["response"]["autoConfirmUser"] = event["request"]["userAttributes"]["email"].endswith("@example.com")
        return event

    lambda_stub.functions["shop-pre-sign-up"] = pre_sign_up
    pool_id = new_pool(app)
    open_pool_tab(app, "tab-triggers")
    app.type("trigger-arn-PreSignUp", PRE_SIGN_UP)
    app.click("triggers-save")
    app.wait().until(lambda d: any("Triggers saved" in t for t in app.texts("toast-ok")))

    app.click("trigger-test-PreSignUp")
    app.wait().until(lambda d: app.texts("trigger-test-response"))
    response = " ".join(app.texts("trigger-test-response"))
    assert '"autoConfirmUser": true' in response, response
    assert "PreSignUp_SignUp" in " ".join(app.texts("trigger-test-event"))
    sent = lambda_stub.of("shop-pre-sign-up")
    assert len(sent) == 1 and sent[0]["userPoolId"] == pool_id and sent[0]["triggerSource"] == "PreSignUp_SignUp"
    assert lambda_stub.refused == []  # signed as Lambda wants

    # The inspector lists the call; opened, it shows the event and the answer side by side.
    app.click("triggers-refresh")
    app.wait().until(lambda d: app.all("trigger-invocation-row"))
    open_row(app.all("trigger-invocation-row")[0])
    app.wait().until(lambda d: app.texts("trigger-invocation-source"))
    assert app.texts("trigger-invocation-source")[0] == "PreSignUp_SignUp"
    assert '"autoConfirmUser": true' in " ".join(app.texts("trigger-invocation-response"))
    app.screenshot("live-function")
