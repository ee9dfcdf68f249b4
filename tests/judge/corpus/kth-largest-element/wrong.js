// expect: wrong_answer
/**
 * @param {number[]} nums
 * @param {number} k
 * @return {number}
 */
var findKthLargest = function(nums, k) {
    nums.sort();  // sorts as strings: 10 comes before 2
    return nums[nums.length - k];
};
