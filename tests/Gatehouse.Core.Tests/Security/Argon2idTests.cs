using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Gatehouse.Core.Security;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Tests.Security;

/// <summary>Argon2id through libargon2: compatibility with what other implementations wrote, the PHC form, and its working memory.</summary>
public sealed partial class Argon2idTests
{
    private const string Password = "correct horse battery staple";

    // Written by Debian 12's libsodium 1.0.18 (crypto_pwhash_str_alg), which Gatehouse used
    // before libargon2: every hash stored until then looks like these.
    private const string LibsodiumDefault = "$argon2id$v=19$m=19456,t=2,p=1$DJH/XRR4Qg75IqwAd62Tvg$rAYq6pg+nGsJculJS/nH4qWmUV3hVIvU8nSjfwgR0zA";
    private const string LibsodiumFast = "$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY";

    // Written by libargon2's own encoder (argon2id_hash_encoded) with more than one lane, as
    // systems that import their users often have.
    private const string FourLanes = "$argon2id$v=19$m=1024,t=2,p=4$aW1wb3J0ZWQgc2FsdCAxNg$Vs7OIye51/aA7fXBtpKspGSrkk+RJX2jRqImZkkMAQU";
    private const string TwoLanesShortHash = "$argon2id$v=19$m=4096,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$UCdglrNUhyMF4ijbW75MHg";

    [Fact]
    public void The_reference_implementations_test_vector_comes_out_exactly()
    {
        // From the Argon2 reference test suite: "password", salt "somesalt", m=64 MiB, t=2, p=1.
        var parameters = new Argon2idParameters(65536, 2, 1);
        var hash = new byte[32];

        Assert.Equal(LibArgon2.Ok, Argon2id.Derive("password"u8, "somesalt"u8, parameters, hash));

        Assert.Equal(
            "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            Argon2idHashString.Format(parameters, "somesalt"u8, hash));
    }

    [Fact]
    public async Task A_hash_libsodium_wrote_with_todays_parameters_verifies_without_a_rehash()
    {
        var hasher = new Argon2idPasswordHasher(Options.Create(new PasswordOptions()));

        Assert.Equal(PasswordVerification.Success, await hasher.VerifyAsync(LibsodiumDefault, Password));
        Assert.Equal(PasswordVerification.Failed, await hasher.VerifyAsync(LibsodiumDefault, Password + " "));
        Assert.Equal(PasswordVerification.Success, await TestHashers.Fast().VerifyAsync(LibsodiumFast, Password));
    }

    [Fact]
    public async Task A_new_hash_verifies_in_libsodium()
    {
        var hash = await TestHashers.Fast().HashAsync(Password);

        Assert.True(LibsodiumVerifies(hash, Password));
        Assert.False(LibsodiumVerifies(hash, "correct horse battery stapler"));
    }

    [Theory]
    [InlineData(FourLanes)]
    [InlineData(TwoLanesShortHash)]
    public async Task A_hash_with_several_lanes_or_another_length_verifies_and_asks_for_a_rehash(string stored)
    {
        var password = stored == FourLanes ? Password : "pässwörd";

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, await TestHashers.Fast().VerifyAsync(stored, password));
        Assert.Equal(PasswordVerification.Failed, await TestHashers.Fast().VerifyAsync(stored, "wrong"));
    }

    [Theory]
    [InlineData("$argon2id$v=16$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2i$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$t=1,m=1024,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1,keyid=AA$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=0,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1001,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=99999999999,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=-1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=+1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=31,t=1,p=4$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=4294967295,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=0$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA==$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2k LjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB-n4jO31_TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaC$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA$LN8K7soHxE1RM5xisFmvRqTvEpin1QRgB+n4jO31/TY$")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$AAAqjaClOnyJl8Pu2kjLjA")]
    [InlineData("$argon2id$v=19$")]
    [InlineData("$argon2id$")]
    public async Task A_malformed_or_unaffordable_argon2id_string_fails_without_throwing(string stored)
    {
        Assert.Equal(PasswordVerification.Failed, await TestHashers.Fast().VerifyAsync(stored, Password));
    }

    [Fact]
    public unsafe void The_block_a_thread_keeps_starts_on_a_huge_page_is_reused_and_holds_only_zeros_between_hashes()
    {
        var parameters = new Argon2idParameters(4096, 1, 1);
        Argon2Memory.AllowKeeping(4096 * 1024);
        Argon2Memory.KeepBlocksOnThisThread(true);
        try
        {
            var first = new byte[32];
            Assert.Equal(LibArgon2.Ok, Argon2id.Derive(Encoding.UTF8.GetBytes(Password), "sixteen byte salt"u8, parameters, first));
            var block = Argon2Memory.ThisThreadsBlock;
            Assert.Equal(4096 * 1024, block.Length);
            Assert.Equal(0, (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(block)) % (2 * 1024 * 1024));
            Assert.True(block.IndexOfAnyExcept((byte)0) < 0, "the kept block still holds what the hash computed");

            var second = new byte[32];
            Assert.Equal(LibArgon2.Ok, Argon2id.Derive(Encoding.UTF8.GetBytes(Password), "sixteen byte salt"u8, parameters, second));
            Assert.True(Unsafe.AreSame(
                ref MemoryMarshal.GetReference(block), ref MemoryMarshal.GetReference(Argon2Memory.ThisThreadsBlock)));
            Assert.Equal(first, second);
        }
        finally
        {
            Argon2Memory.ReleaseThisThread();
            Argon2Memory.KeepBlocksOnThisThread(false);
        }

        Assert.True(Argon2Memory.ThisThreadsBlock.IsEmpty);
    }

    [Fact]
    public void A_thread_that_does_not_keep_blocks_returns_its_memory_after_each_hash()
    {
        var hash = new byte[32];

        Assert.Equal(LibArgon2.Ok, Argon2id.Derive("password"u8, "somesalt"u8, new Argon2idParameters(1024, 1, 1), hash));

        Assert.True(Argon2Memory.ThisThreadsBlock.IsEmpty);
    }

    private static bool LibsodiumVerifies(string hash, string password)
    {
        Assert.True(SodiumInit() >= 0);
        var hashBytes = Encoding.ASCII.GetBytes(hash + "\0");
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        return CryptoPwhashStrVerify(hashBytes, passwordBytes, (ulong)passwordBytes.Length) == 0;
    }

    [LibraryImport("libsodium.so.23", EntryPoint = "sodium_init")]
    private static partial int SodiumInit();

    [LibraryImport("libsodium.so.23", EntryPoint = "crypto_pwhash_str_verify")]
    private static partial int CryptoPwhashStrVerify(byte[] hash, byte[] password, ulong passwordLength);
}
