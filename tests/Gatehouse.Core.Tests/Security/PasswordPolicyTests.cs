using Gatehouse.Core.Security;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Tests.Security;

public sealed class PasswordPolicyTests
{
    private readonly PasswordPolicy _policy = new(Options.Create(new PasswordOptions()));

    [Fact]
    public void Seven_characters_are_too_short()
    {
        Assert.Equal([PasswordRule.TooShort], _policy.Check("xq7#Lmz"));
    }

    [Fact]
    public void Eight_uncommon_characters_are_accepted()
    {
        Assert.Empty(_policy.Check("xq7#Lmzw"));
    }

    [Fact]
    public void Sixty_four_characters_are_accepted()
    {
        var password = string.Concat(Enumerable.Repeat("kT9v", 16));

        Assert.Equal(64, password.Length);
        Assert.Empty(_policy.Check(password));
    }

    [Fact]
    public void More_than_the_maximum_length_is_too_long()
    {
        Assert.Equal([PasswordRule.TooLong], _policy.Check(new string('k', 129)));
        Assert.Empty(_policy.Check(new string('k', 128)));
    }

    [Fact]
    public void A_huge_input_is_too_long_without_being_normalised()
    {
        Assert.Equal([PasswordRule.TooLong], _policy.Check(new string('k', 1_000_000)));
    }

    [Theory]
    [InlineData("password")]
    [InlineData("Password")]
    [InlineData("PASSWORD")]
    [InlineData("12345678")]
    [InlineData("qwertyuiop")]
    public void A_common_password_is_rejected_whatever_its_case(string password)
    {
        Assert.Equal([PasswordRule.Common], _policy.Check(password));
    }

    [Fact]
    public void A_short_common_password_breaks_both_rules()
    {
        Assert.Equal([PasswordRule.TooShort, PasswordRule.Common], _policy.Check("123456"));
    }

    [Fact]
    public void A_long_passphrase_is_accepted()
    {
        Assert.Empty(_policy.Check("correct horse battery staple on a rainy tuesday"));
    }

    [Theory]
    [InlineData("alllowercaseletters")]
    [InlineData("ALLUPPERCASELETTERS")]
    [InlineData("9081726354019283")]
    [InlineData("no digits or symbols here")]
    public void No_composition_rules_are_imposed(string password)
    {
        Assert.Empty(_policy.Check(password));
    }

    [Fact]
    public void Length_counts_user_perceived_characters_not_UTF16_units()
    {
        // Seven e + combining acute (14 UTF-16 units) is seven characters, like seven U+00E9.
        var decomposed = string.Concat(Enumerable.Repeat("e\u0301", 7));
        Assert.Equal([PasswordRule.TooShort], _policy.Check(decomposed));
        Assert.Equal([PasswordRule.TooShort], _policy.Check(new string('\u00E9', 7)));
        Assert.Empty(_policy.Check(decomposed + "e\u0301"));

        // Seven family emoji (ZWJ sequences of many code points) are seven characters.
        var families = string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 7));
        Assert.Equal([PasswordRule.TooShort], _policy.Check(families));
        Assert.Empty(_policy.Check(families + "👨‍👩‍👧‍👦"));

        // 128 of them (1408 UTF-16 units) is still within the 128-character maximum.
        Assert.Empty(_policy.Check(string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 128))));
    }

    [Fact]
    public void A_password_with_a_lone_surrogate_is_checked_without_throwing()
    {
        Assert.Empty(_policy.Check("abcdefgh\uD800"));
    }
}
