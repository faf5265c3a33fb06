namespace Gatehouse.Core.Tokens;

/// <summary>A key that signs access tokens. The private half is stored encrypted.</summary>
public sealed class SigningKey
{
    public string KeyId { get; set; } = "";
    public string Algorithm { get; set; } = "";

    /// <summary>The public key as a JWK (JSON).</summary>
    public string PublicJwk { get; set; } = "";

    /// <summary>The private key (PKCS#8), encrypted by the secret protector.</summary>
    public string ProtectedPrivateKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this the key signs nothing new.</summary>
    public DateTimeOffset RetiresAt { get; set; }

    /// <summary>After this the key is no longer published (its tokens have all expired).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
