"""The Triggers tab in the real window: a pre sign-up function set through its form, ending in
what the server now holds, with the pool's other settings as they were. No Lambda runs here, so
no test event is sent."""
from test_app_integration import call, new_pool
from test_sign_in_providers import open_pool_tab

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
