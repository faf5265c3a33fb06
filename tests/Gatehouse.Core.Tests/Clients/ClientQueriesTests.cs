using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Clients;

public sealed class ClientQueriesTests
{
    [Fact]
    public void Values_are_typed_for_their_fields()
    {
        var filter = new AllOf([
            new Comparison(ClientField.Id, FilterOperator.Inq, [1L, "2", 3.0]),
            new Comparison(ClientField.CreatedOn, FilterOperator.Gt, ["2026-01-01T00:00:00Z"]),
            new Comparison(ClientField.Deleted, FilterOperator.Eq, [false]),
        ]);
        var normalized = ClientQueries.Normalize(filter);
        Assert.True(normalized.Succeeded);
        var items = ((AllOf)normalized.Value).Items.Cast<Comparison>().ToList();
        Assert.Equal([1L, 2L, 3L], items[0].Values.Cast<long>());
        Assert.IsType<DateTimeOffset>(items[1].Values[0]);
        Assert.Equal(false, items[2].Values[0]);
    }

    [Fact]
    public void Wrong_types_wrong_operators_huge_lists_and_deep_nesting_are_validation_errors()
    {
        ClientFilter deep = new Comparison(ClientField.ClientId, FilterOperator.Eq, ["x"]);
        for (var i = 0; i < ClientFilter.MaxDepth; i++)
        {
            deep = new AnyOf([deep]);
        }
        var bad = new ClientFilter[]
        {
            new Comparison(ClientField.Id, FilterOperator.Eq, ["one"]),
            new Comparison(ClientField.CreatedOn, FilterOperator.Lt, ["yesterday"]),
            new Comparison(ClientField.Id, FilterOperator.Like, ["1%"]),
            new Comparison(ClientField.Deleted, FilterOperator.Gt, [true]),
            new Comparison(ClientField.ClientId, FilterOperator.Inq, Enumerable.Range(0, ClientFilter.MaxListValues + 1).Select(i => (object?)("c" + i)).ToList()),
            new Comparison(ClientField.ClientId, FilterOperator.Between, ["a"]),
            new Comparison(ClientField.ClientId, FilterOperator.Gt, [null]),
            deep,
        };
        foreach (var filter in bad)
        {
            var normalized = ClientQueries.Normalize(filter);
            Assert.False(normalized.Succeeded, filter.ToString());
            Assert.Equal(CoreErrors.ValidationFailedCode, normalized.Error!.Code);
        }
    }
}
