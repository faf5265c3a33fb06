using Gatehouse.Core.Security;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Tests.Security;

public sealed class Argon2idPasswordHasherTests
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task The_default_options_produce_an_OWASP_argon2id_hash_that_verifies()
    {
        var hasher = new Argon2idPasswordHasher(Options.Create(new PasswordOptions()));

        var hash = await hasher.HashAsync(Password);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hash, Password));
    }

    [Fact]
    public async Task A_hash_verifies_with_the_right_password()
    {
        var hasher = TestHashers.Fast();

        var hash = await hasher.HashAsync(Password);

        Assert.StartsWith("$argon2id$v=19$m=1024,t=1,p=1$", hash, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hash, Password));
    }

    [Fact]
    public async Task A_wrong_password_fails()
    {
        var hasher = TestHashers.Fast();
        var hash = await hasher.HashAsync(Password);

        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, "correct horse battery stapler"));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, ""));
    }

    [Fact]
    public async Task Two_hashes_of_the_same_password_use_different_salts()
    {
        var hasher = TestHashers.Fast();

        Assert.NotEqual(await hasher.HashAsync(Password), await hasher.HashAsync(Password));
    }

    [Theory]
    [InlineData(2048, 1)]
    [InlineData(1024, 2)]
    public async Task A_hash_made_with_other_parameters_verifies_and_asks_for_a_rehash(int memoryKiB, int iterations)
    {
        var hash = await TestHashers.Fast().HashAsync(Password);
        var current = TestHashers.Fast(memoryKiB, iterations);

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await current.VerifyAsync(hash, Password));
        Assert.Equal(PasswordVerification.Failed, await current.VerifyAsync(hash, "wrong"));
    }

    [Theory]
    // Memory up to twice OWASP's 19 MiB (the test hasher's own 1 MiB is below it).
    [InlineData(38912, 1, true)]
    [InlineData(40960, 1, false)]
    // Work (memory times passes) up to twice OWASP's 19 MiB times 2.
    [InlineData(8192, 9, true)]
    [InlineData(8192, 10, false)]
    public async Task A_stored_hash_costlier_than_twice_todays_parameters_fails_though_it_is_right(int memoryKiB, int iterations, bool verifies)
    {
        var stored = await TestHashers.Fast(memoryKiB, iterations).HashAsync(Password);

        var result = await TestHashers.Fast().VerifyAsync(stored, Password);

        Assert.Equal(verifies ? PasswordVerification.SuccessRehashNeeded : PasswordVerification.Failed, result);
    }

    [Fact]
    public async Task With_the_default_parameters_a_64_MiB_hash_fails()
    {
        // The Argon2 reference test vector ("password", m = 64 MiB, t = 2): over twice 19 MiB.
        const string reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        var hasher = new Argon2idPasswordHasher(Options.Create(new PasswordOptions()));

        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(reference, "password"));
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await TestHashers.Fast(65536, 2).VerifyAsync(reference, "password"));
    }

    [Fact]
    public async Task A_200_char_password_is_not_truncated()
    {
        var hasher = TestHashers.Fast();
        var password = string.Concat(Enumerable.Repeat("0123456789", 20));
        var hash = await hasher.HashAsync(password);

        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hash, password));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, password[..199]));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, password[..72]));
    }

    [Fact]
    public async Task The_hash_of_a_100_char_password_does_not_verify_its_99_char_prefix()
    {
        var hasher = TestHashers.Fast();
        var password = new string('p', 100);
        var hash = await hasher.HashAsync(password);

        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, password[..99]));
    }

    [Fact]
    public async Task Two_long_passwords_differing_only_at_char_80_do_not_cross_verify()
    {
        var hasher = TestHashers.Fast();
        var a = new string('x', 79) + "A" + new string('x', 40);
        var b = new string('x', 79) + "B" + new string('x', 40);

        var hashA = await hasher.HashAsync(a);
        var hashB = await hasher.HashAsync(b);

        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hashA, b));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hashB, a));
    }

    [Fact]
    public async Task Non_ASCII_passwords_are_hashed_as_UTF_8_and_verify()
    {
        var hasher = TestHashers.Fast();
        const string password = "pässwörd 密码 🔐";
        var hash = await hasher.HashAsync(password);

        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hash, password));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(hash, "passwörd 密码 🔐"));
    }

    [Fact]
    public async Task A_null_hash_always_fails()
    {
        var hasher = TestHashers.Fast();

        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(null, Password));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(null, ""));
    }

    [Fact]
    public async Task Concurrent_null_hash_checks_all_fail_and_share_one_dummy_hash()
    {
        var hasher = TestHashers.Fast(concurrency: 1);

        var results = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => hasher.VerifyAsync(null, $"guess {i}").AsTask()));

        Assert.All(results, r => Assert.Equal(PasswordVerification.Failed, r));
    }

    [Fact]
    public async Task Many_hashes_through_a_concurrency_of_one_all_complete_and_verify()
    {
        var hasher = TestHashers.Fast(concurrency: 1);

        var hashes = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(i => hasher.HashAsync($"password number {i}").AsTask()));

        for (var i = 0; i < hashes.Length; i++)
        {
            Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(hashes[i], $"password number {i}"));
        }
    }

    [Fact]
    public async Task A_cancelled_request_throws_before_hashing()
    {
        var hasher = TestHashers.Fast();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hasher.HashAsync(Password, cts.Token).AsTask());
    }

    [Fact]
    public async Task A_native_hashing_failure_throws_a_clear_InvalidOperationException()
    {
        // 1 KiB is below Argon2's 8 KiB minimum, so libargon2 fails as it would on an
        // allocation failure, without the test having to exhaust memory.
        var hasher = TestHashers.Fast(memoryKiB: 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => hasher.HashAsync(Password).AsTask());
        Assert.Contains("Argon2id hashing failed", error.Message, StringComparison.Ordinal);
    }
}
