using System.Buffers.Text;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Common;

public sealed class SecureTokensTests
{
    [Fact]
    public void Tokens_drawn_across_several_refills_of_the_random_block_are_all_distinct_and_full_length()
    {
        // 32 bytes each from 1 KiB blocks: 200 tokens use about six blocks.
        var tokens = Enumerable.Range(0, 200).Select(_ => SecureTokens.New()).ToList();

        Assert.Equal(tokens.Count, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, token => Assert.Equal(32, Base64Url.DecodeFromChars(token).Length));
    }

    [Fact]
    public void Drawn_bytes_cover_the_whole_byte_range_and_are_not_left_zeroed()
    {
        var seen = new bool[256];
        var zeros = 0;
        for (var i = 0; i < 400; i++)
        {
            foreach (var b in Base64Url.DecodeFromChars(SecureTokens.New()))
            {
                seen[b] = true;
                zeros += b == 0 ? 1 : 0;
            }
        }

        // 12,800 uniform bytes: every value appears (the chance one is missing is below 1e-19),
        // and about 50 are zero, never thousands.
        Assert.All(seen, Assert.True);
        Assert.InRange(zeros, 1, 200);
    }

    [Fact]
    public void Requests_larger_than_a_block_share_are_served_whole()
    {
        var large = SecureTokens.New(512);

        Assert.Equal(512, Base64Url.DecodeFromChars(large).Length);
        Assert.NotEqual(large, SecureTokens.New(512));
    }
}
