//! Custom senders' codes, sealed as Cognito seals them: an AWS Encryption SDK message (AWS's
//! own Rust implementation) whose data key KMS generates under the pool's `KMSKeyID`, with the
//! encryption context `{"userpool-id": <pool id>}`. KMS is found as the AWS SDKs find it
//! (`AWS_ENDPOINT_URL_KMS`, else `AWS_ENDPOINT_URL`, else the key's region), with the standard
//! credential chain; a function decrypts the code with the Encryption SDK and `kms:Decrypt`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_esdk::client as esdk_client;
use aws_esdk::material_providers::client as mpl_client;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
use pooldesk_core::user_pools::CodeEncryptor;

/// KMS has this long to answer, as a Lambda trigger has.
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct KmsEncryptor {
    runtime: tokio::runtime::Handle,
    esdk: esdk_client::Client,
    materials: mpl_client::Client,
    /// One KMS client per region, made on first use (loading the SDK's configuration reads
    /// the environment and profile files).
    clients: Mutex<HashMap<String, aws_sdk_kms::Client>>,
}

impl KmsEncryptor {
    pub fn new(runtime: tokio::runtime::Handle) -> anyhow::Result<Self> {
        let esdk = esdk_client::Client::from_conf(AwsEncryptionSdkConfig::builder().build()?)?;
        let materials = mpl_client::Client::from_conf(MaterialProvidersConfig::builder().build()?)?;
        Ok(KmsEncryptor { runtime, esdk, materials, clients: Mutex::new(HashMap::new()) })
    }

    async fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        if let Some(client) = self.clients.lock().unwrap_or_else(|e| e.into_inner()).get(region) {
            return client.clone();
        }
        let config =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).region(aws_config::Region::new(region.to_owned())).load().await;
        let client = aws_sdk_kms::Client::new(&config);
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).insert(region.to_owned(), client.clone());
        client
    }

    async fn seal(&self, key_arn: &str, pool_id: &str, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let region = crate::arn::region(key_arn, "kms").ok_or_else(|| format!("{key_arn} is not a KMS key ARN"))?;
        let keyring = self
            .materials
            .create_aws_kms_keyring()
            .kms_key_id(key_arn)
            .kms_client(self.kms(region).await)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let context = HashMap::from([("userpool-id".to_owned(), pool_id.to_owned())]);
        let sealed = self
            .esdk
            .encrypt()
            .plaintext(aws_sdk_kms::primitives::Blob::new(plaintext))
            .keyring(keyring)
            .encryption_context(context)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        sealed.ciphertext.map(aws_sdk_kms::primitives::Blob::into_inner).ok_or_else(|| "the Encryption SDK returned no message".to_owned())
    }
}

impl CodeEncryptor for KmsEncryptor {
    fn encrypt(&self, key_arn: &str, pool_id: &str, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        self.runtime.block_on(async {
            match tokio::time::timeout(TIMEOUT, self.seal(key_arn, pool_id, plaintext)).await {
                Ok(sealed) => sealed,
                Err(_) => Err(format!("KMS did not answer within {} seconds", TIMEOUT.as_secs())),
            }
        })
    }
}
