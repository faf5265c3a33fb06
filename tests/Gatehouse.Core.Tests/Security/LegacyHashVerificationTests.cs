using System.Buffers.Binary;
using System.Security.Cryptography;
using Gatehouse.Core.Security;

namespace Gatehouse.Core.Tests.Security;

/// <summary>Hashes imported from other systems: they verify, and always ask for an Argon2id rehash.</summary>
public sealed class LegacyHashVerificationTests
{
    private const string Password = "correct horse battery staple";

    // Made by Debian 12's libxcrypt (python3 crypt.crypt) for Password, cost 5.
    private const string Bcrypt2a = "$2a$05$LhayLxezLhK1LhWvKxCyLOuUXsI.qFADPBdYOebUvIB4e1PgYKFzK";
    private const string Bcrypt2b = "$2b$05$9bkSPFOmlf5oQLXgbCVxXe8lTYNR81l4HvFSyZ.yWfG/QPe3nT.dG";
    private const string Bcrypt2y = "$2y$05$ZQH9fHIe3pGkJQm0XbTaqewdXo7zANTBftIkHfmT0WStIDnmTTcki";

    // Made by ASP.NET Core Identity 10.0.12's PasswordHasher<object> for Password:
    // V3 defaults (PBKDF2-HMAC-SHA512, 100,000 iterations, 16-byte salt) and CompatibilityMode IdentityV2.
    private const string IdentityV3 = "AQAAAAIAAYagAAAAEHx3u7eDjrEueirO/p8OWTq6z3Lth/kkveGvsMFvm0Vck3gSVBIg8Zebq4MGNel67A==";
    private const string IdentityV2 = "ABA33CoA/3UFd2HU1OAxcCdrFMQ/P+tAIGhJphdjtTCxAM9QNJB7MLUW9CcqnBvrVw==";

    private readonly Argon2idPasswordHasher _hasher = TestHashers.Fast();

    [Fact]
    public async Task A_bcrypt_2a_hash_verifies_and_asks_for_a_rehash()
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(Bcrypt2a, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(Bcrypt2a, "Correct horse battery staple"));
    }

    [Fact]
    public async Task A_bcrypt_2b_hash_verifies_and_asks_for_a_rehash()
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(Bcrypt2b, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(Bcrypt2b, "Correct horse battery staple"));
    }

    [Fact]
    public async Task A_bcrypt_2y_hash_verifies_and_asks_for_a_rehash()
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(Bcrypt2y, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(Bcrypt2y, "Correct horse battery staple"));
    }

    [Theory]
    // Openwall crypt_blowfish wrapper.c test vector.
    [InlineData("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    // jBCrypt TestBCrypt vector for the empty password.
    [InlineData("", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")]
    public async Task Published_bcrypt_test_vectors_verify(string password, string hash)
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(hash, password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hash, password + "x"));
    }

    [Fact]
    public async Task A_bcrypt_check_refuses_a_password_containing_NUL_instead_of_matching_its_prefix()
    {
        // libxcrypt hash of "abc"; a C string would see "abc\0def" as "abc".
        const string hashOfAbc = "$2b$04$abcdefghijklmnopqrstuuCi15uRb1eH7NAlJ/TgeJertyknQpYn2";

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(hashOfAbc, "abc"));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hashOfAbc, "abc\0def"));
    }

    [Fact]
    public async Task A_real_Identity_V3_hash_verifies_and_asks_for_a_rehash()
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(IdentityV3, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(IdentityV3, "wrong"));
    }

    [Fact]
    public async Task A_real_Identity_V2_hash_verifies_and_asks_for_a_rehash()
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(IdentityV2, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(IdentityV2, "wrong"));
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(1, 10_000)]
    [InlineData(2, 100_000)]
    public async Task Identity_V3_hashes_with_each_PRF_verify_and_ask_for_a_rehash(int prf, int iterations)
    {
        var hash = MakeIdentityV3(Password, prf, iterations, saltLength: 16, subkeyLength: 32);

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(hash, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hash, Password + " "));
    }

    [Fact]
    public async Task An_Identity_V2_hash_built_from_the_spec_verifies()
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(Password, salt, 1000, HashAlgorithmName.SHA1, 32);
        var hash = Convert.ToBase64String([0x00, .. salt, .. subkey]);

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(hash, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hash, "wrong"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("not base64 at all!")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$nonsense")]
    [InlineData("$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA")]
    [InlineData("$2b$05$tooshort")]
    [InlineData("$2b$05$ünicodeünicodeünicodeüXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")]
    [InlineData("$2x$05$CCCCCCCCCCCCCCCCCCCCC.gNn9EDJdrUJF53AHnb.4T9BCvqhUYdW")]
    [InlineData("$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0")]
    [InlineData("AA==")]
    [InlineData("AQ==")]
    [InlineData("Ag==")]
    [InlineData("AQAAAAIAAYag")]
    public async Task A_garbled_or_unsupported_hash_fails_without_throwing(string hash)
    {
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hash, Password));
    }

    [Theory]
    [InlineData(3, 1000, 16, 32)] // unknown PRF
    [InlineData(1, 0, 16, 32)] // zero iterations
    [InlineData(1, 1000, 8, 32)] // salt below Identity's 128-bit minimum
    [InlineData(1, 1000, 16, 8)] // subkey below Identity's 128-bit minimum
    public async Task A_malformed_Identity_V3_hash_fails_without_throwing(int prf, int iterations, int saltLength, int subkeyLength)
    {
        var hash = MakeIdentityV3(Password, prf, iterations, saltLength, subkeyLength);

        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(hash, Password));
    }

    [Fact]
    public async Task An_Identity_V3_hash_claiming_billions_of_iterations_fails_at_once()
    {
        var bytes = Convert.FromBase64String(IdentityV3);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), uint.MaxValue);

        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(Convert.ToBase64String(bytes), Password));
    }

    [Fact]
    public async Task An_Identity_V3_hash_whose_salt_length_overruns_the_buffer_fails()
    {
        var bytes = Convert.FromBase64String(IdentityV3);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(9), 1000);

        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(Convert.ToBase64String(bytes), Password));
    }

    [Fact]
    public async Task A_bcrypt_hash_of_a_cost_above_14_fails_without_being_computed()
    {
        // libxcrypt's bcrypt of Password at cost 15 (about two seconds of one core), a right hash.
        const string cost15 = "$2b$15$TOqHa4pdcWz0L1J/u92lyOH0xDaVEZ7IJX/0WbIlzxMP/IGAllrQy";

        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(cost15, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync("$2b$99$" + cost15[7..], Password));
    }

    [Fact]
    public async Task An_Identity_V3_hash_of_more_than_a_million_iterations_fails_though_it_is_right()
    {
        var atTheBound = MakeIdentityV3(Password, prf: 0, iterations: 1_000_000, saltLength: 16, subkeyLength: 32);
        var beyond = MakeIdentityV3(Password, prf: 0, iterations: 1_000_001, saltLength: 16, subkeyLength: 32);

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await _hasher.VerifyAsync(atTheBound, Password));
        Assert.Equal(PasswordVerification.Failed, await _hasher.VerifyAsync(beyond, Password));
    }

    private static string MakeIdentityV3(string password, int prf, int iterations, int saltLength, int subkeyLength)
    {
        var salt = RandomNumberGenerator.GetBytes(saltLength);
        var algorithm = prf switch
        {
            0 => HashAlgorithmName.SHA1,
            1 => HashAlgorithmName.SHA256,
            _ => HashAlgorithmName.SHA512,
        };
        var subkey = iterations > 0
            ? Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, algorithm, subkeyLength)
            : new byte[subkeyLength];

        var output = new byte[13 + saltLength + subkeyLength];
        output[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(1), (uint)prf);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(5), (uint)iterations);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(9), (uint)saltLength);
        salt.CopyTo(output, 13);
        subkey.CopyTo(output, 13 + saltLength);
        return Convert.ToBase64String(output);
    }
}
