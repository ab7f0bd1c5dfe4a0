// Wire codecs of the DynamoDB operations: request struct -> JSON body, JSON
// body -> response struct. Pure functions; the client does the I/O.
#ifndef AWSPERF_SRC_DYNAMODB_OPERATIONS_H_
#define AWSPERF_SRC_DYNAMODB_OPERATIONS_H_

#include <string>
#include <string_view>

#include "awsperf/dynamodb/types.h"

namespace awsperf::dynamodb::detail {

// API limits checked before sending, so the caller hears of a mistake
// without a round trip.
inline constexpr std::size_t kMaxBatchGetKeys = 100;
inline constexpr std::size_t kMaxBatchWriteRequests = 25;
inline constexpr std::size_t kMaxTransactItems = 100;
inline constexpr std::size_t kMaxExpressionBytes = 4096;
inline constexpr std::size_t kMaxItemBytes = 400 * 1024;

Result<std::string> encode(const CreateTableRequest& r);
Result<std::string> encode(const DescribeTableRequest& r);
Result<std::string> encode(const UpdateTableRequest& r);
Result<std::string> encode(const DeleteTableRequest& r);
Result<std::string> encode(const ListTablesRequest& r);
Result<std::string> encode(const GetItemRequest& r);
Result<std::string> encode(const PutItemRequest& r);
Result<std::string> encode(const UpdateItemRequest& r);
Result<std::string> encode(const DeleteItemRequest& r);
Result<std::string> encode(const QueryRequest& r);
Result<std::string> encode(const ScanRequest& r);
Result<std::string> encode(const BatchGetItemRequest& r);
Result<std::string> encode(const BatchWriteItemRequest& r);
Result<std::string> encode(const TransactGetItemsRequest& r);
Result<std::string> encode(const TransactWriteItemsRequest& r);

// CreateTable, UpdateTable and DeleteTable answer {"TableDescription": ...};
// DescribeTable answers {"Table": ...}.
Result<TableDescription> decode_table_description(std::string_view body, std::string_view member);
Result<ListTablesResponse> decode_list_tables(std::string_view body);
Result<GetItemResponse> decode_get_item(std::string_view body);
Result<WriteItemResponse> decode_write_item(std::string_view body);
Result<ItemPage> decode_item_page(std::string_view body);
Result<BatchGetItemResponse> decode_batch_get_item(std::string_view body);
Result<BatchWriteItemResponse> decode_batch_write_item(std::string_view body);
Result<TransactGetItemsResponse> decode_transact_get_items(std::string_view body);
Result<TransactWriteItemsResponse> decode_transact_write_items(std::string_view body);

}  // namespace awsperf::dynamodb::detail

#endif  // AWSPERF_SRC_DYNAMODB_OPERATIONS_H_
